// DistEnv (core/dist): the launcher variables of torchrun, srun and the local launcher read
// into rank / world / local rank / rendezvous address, from tables of environments (no process
// environment is touched); Slurm's compressed node lists; every malformed value's exact message;
// free_tcp_port gives a port that can be bound.
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <stdexcept>
#include <string>

#include "dist/DistEnv.h"

using namespace ms;

namespace {

using Env = std::map<std::string, std::string>;

// "K=V;K2=V2" -> map ("" is no variable; "K=" sets K to the empty string).
Env env_of(const QString& spec) {
  Env e;
  for (const QString& kv : spec.split(';', Qt::SkipEmptyParts)) {
    const int eq = kv.indexOf('=');
    e[kv.left(eq).toStdString()] = kv.mid(eq + 1).toStdString();
  }
  return e;
}

DistEnv parse(const Env& e) {
  return dist_env_from([&](const char* name) -> const char* {
    auto it = e.find(name);
    return it == e.end() ? nullptr : it->second.c_str();
  });
}

}  // namespace

class TestDistEnv : public QObject {
  Q_OBJECT

 private slots:
  void parses_data() {
    QTest::addColumn<QString>("env");
    QTest::addColumn<int>("rank");
    QTest::addColumn<int>("world");
    QTest::addColumn<int>("local");
    QTest::addColumn<QString>("addr");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("launcher");
    const QString slurm2 = "SLURM_PROCID=1;SLURM_NTASKS=2;SLURM_LOCALID=1;SLURM_STEP_ID=0;";
    QTest::newRow("nothing") << "" << 0 << 1 << 0 << "" << 0 << "";
    QTest::newRow("torchrun")
        << "RANK=3;WORLD_SIZE=8;LOCAL_RANK=1;MASTER_ADDR=10.0.0.5;MASTER_PORT=29400;"
           "TORCHELASTIC_RUN_ID=none"
        << 3 << 8 << 1 << "10.0.0.5" << 29400 << "torchrun";
    QTest::newRow("env:// without torchrun, LOCAL_RANK defaults to RANK")
        << "RANK=1;WORLD_SIZE=2;MASTER_ADDR=h;MASTER_PORT=1" << 1 << 2 << 1 << "h" << 1 << "env";
    QTest::newRow("local launcher")
        << "RANK=0;WORLD_SIZE=2;LOCAL_RANK=0;MASTER_ADDR=127.0.0.1;MASTER_PORT=40000;"
           "MUONSCOPE_LAUNCHER=local"
        << 0 << 2 << 0 << "127.0.0.1" << 40000 << "local";
    QTest::newRow("world 1 needs no address")
        << "RANK=0;WORLD_SIZE=1" << 0 << 1 << 0 << "" << 0 << "env";
    QTest::newRow("torchrun wins over slurm")
        << slurm2 + "SLURM_NODELIST=n1;RANK=0;WORLD_SIZE=4;LOCAL_RANK=0;MASTER_ADDR=m;MASTER_PORT=5"
        << 0 << 4 << 0 << "m" << 5 << "env";
    QTest::newRow("slurm step node list, port from job id")
        << "SLURM_PROCID=2;SLURM_NTASKS=4;SLURM_LOCALID=0;SLURM_STEP_ID=3;"
           "SLURM_STEP_NODELIST=node[01-04,07];SLURM_NODELIST=other[1-9];SLURM_JOB_ID=1234567"
        << 2 << 4 << 0 << "node01" << 29500 + 567 << "slurm";
    QTest::newRow("slurm single host") << slurm2 + "SLURM_NODELIST=node01;SLURM_JOB_ID=42" << 1 << 2
                                       << 1 << "node01" << 29542 << "slurm";
    QTest::newRow("slurm host list")
        << slurm2 + "SLURM_NODELIST=a01,b02" << 1 << 2 << 1 << "a01" << 29500 << "slurm";
    QTest::newRow("slurm dash in name")
        << slurm2 + "SLURM_NODELIST=gpu-[3-5]" << 1 << 2 << 1 << "gpu-3" << 29500 << "slurm";
    QTest::newRow("slurm ranges in two places") << slurm2 + "SLURM_NODELIST=rack[1-2]-n[07-09],x1"
                                                << 1 << 2 << 1 << "rack1-n07" << 29500 << "slurm";
    QTest::newRow("slurm list of groups") << slurm2 + "SLURM_NODELIST=gpu[12,14-15],cpu[1-3]" << 1
                                          << 2 << 1 << "gpu12" << 29500 << "slurm";
    QTest::newRow("slurm MASTER_ADDR/PORT win")
        << slurm2 + "SLURM_NODELIST=n[1-2];SLURM_JOB_ID=7;MASTER_ADDR=head;MASTER_PORT=6000" << 1
        << 2 << 1 << "head" << 6000 << "slurm";
    QTest::newRow("slurm SLURM_JOBID, SLURM_STEPID")
        << "SLURM_PROCID=0;SLURM_NTASKS=2;SLURM_STEPID=0;SLURM_NODELIST=n1;SLURM_JOBID=999" << 0
        << 2 << 0 << "n1" << 30499 << "slurm";
    QTest::newRow("slurm SLURM_STEP_NUM_TASKS without SLURM_NTASKS")
        << "SLURM_PROCID=0;SLURM_STEP_NUM_TASKS=3;SLURM_STEP_ID=0;SLURM_NODELIST=n1" << 0 << 3 << 0
        << "n1" << 29500 << "slurm";
    QTest::newRow("sbatch script without srun: one process")
        << "SLURM_PROCID=0;SLURM_NTASKS=4;SLURM_NODELIST=n[1-2];SLURM_JOB_ID=5" << 0 << 1 << 0 << ""
        << 0 << "";
  }
  void parses() {
    QFETCH(QString, env);
    const DistEnv e = parse(env_of(env));
    QTEST(e.rank, "rank");
    QTEST(e.world, "world");
    QTEST(e.local_rank, "local");
    QTEST(QString::fromStdString(e.master_addr), "addr");
    QTEST(e.master_port, "port");
    QTEST(QString::fromStdString(e.launcher), "launcher");
    QCOMPARE(e.distributed(), e.world > 1);
  }

  void rejects_data() {
    QTest::addColumn<QString>("env");
    QTest::addColumn<QString>("message");
    const QString ok2 = "MASTER_ADDR=h;MASTER_PORT=29500;";
    const QString step = "SLURM_STEP_ID=0;SLURM_NODELIST=n1;";
    QTest::newRow("RANK >= WORLD_SIZE") << ok2 + "RANK=2;WORLD_SIZE=2"
                                        << "RANK='2' is not below WORLD_SIZE='2'";
    QTest::newRow("RANK not a number") << ok2 + "RANK=one;WORLD_SIZE=2"
                                       << "RANK='one' is not a non-negative integer";
    QTest::newRow("RANK negative") << ok2 + "RANK=-1;WORLD_SIZE=2"
                                   << "RANK='-1' is not a non-negative integer";
    QTest::newRow("RANK empty") << ok2 + "RANK=;WORLD_SIZE=2"
                                << "RANK='' is not a non-negative integer";
    QTest::newRow("WORLD_SIZE trailing junk") << ok2 + "RANK=0;WORLD_SIZE=2x"
                                              << "WORLD_SIZE='2x' is not a positive integer";
    QTest::newRow("WORLD_SIZE 0") << ok2 + "RANK=0;WORLD_SIZE=0"
                                  << "WORLD_SIZE='0' is not a positive integer";
    QTest::newRow("WORLD_SIZE huge") << ok2 + "RANK=0;WORLD_SIZE=99999999999"
                                     << "WORLD_SIZE='99999999999' is not a positive integer";
    QTest::newRow("RANK without WORLD_SIZE")
        << ok2 + "RANK=0"
        << "WORLD_SIZE is not set while RANK is (torchrun sets both)";
    QTest::newRow("WORLD_SIZE without RANK")
        << ok2 + "WORLD_SIZE=2"
        << "RANK is not set while WORLD_SIZE is (torchrun sets both)";
    QTest::newRow("LOCAL_RANK not a number") << ok2 + "RANK=0;WORLD_SIZE=2;LOCAL_RANK=x"
                                             << "LOCAL_RANK='x' is not a non-negative integer";
    QTest::newRow("LOCAL_RANK too large") << ok2 + "RANK=0;WORLD_SIZE=2;LOCAL_RANK=2"
                                          << "LOCAL_RANK='2' is not below WORLD_SIZE='2'";
    QTest::newRow("no MASTER_ADDR")
        << "RANK=0;WORLD_SIZE=2;MASTER_PORT=29500"
        << "MASTER_ADDR is not set (or empty) while WORLD_SIZE=2: rank 0's host is needed for the "
           "rendezvous";
    QTest::newRow("empty MASTER_ADDR")
        << "RANK=0;WORLD_SIZE=3;MASTER_ADDR=;MASTER_PORT=29500"
        << "MASTER_ADDR is not set (or empty) while WORLD_SIZE=3: rank 0's host is needed for the "
           "rendezvous";
    QTest::newRow("no MASTER_PORT")
        << "RANK=1;WORLD_SIZE=2;MASTER_ADDR=h"
        << "MASTER_PORT is not set while WORLD_SIZE=2: the rendezvous port on rank 0's host is "
           "needed";
    QTest::newRow("MASTER_PORT out of range")
        << "RANK=1;WORLD_SIZE=2;MASTER_ADDR=h;MASTER_PORT=70000"
        << "MASTER_PORT='70000' is not a TCP port (1..65535)";
    QTest::newRow("MASTER_PORT 0") << "RANK=1;WORLD_SIZE=2;MASTER_ADDR=h;MASTER_PORT=0"
                                   << "MASTER_PORT='0' is not a TCP port (1..65535)";
    QTest::newRow("MASTER_PORT not a number")
        << "RANK=1;WORLD_SIZE=2;MASTER_ADDR=h;MASTER_PORT=http"
        << "MASTER_PORT='http' is not a TCP port (1..65535)";
    QTest::newRow("SLURM_PROCID >= SLURM_NTASKS")
        << step + "SLURM_PROCID=4;SLURM_NTASKS=4"
        << "SLURM_PROCID='4' is not below SLURM_NTASKS='4'";
    QTest::newRow("SLURM_PROCID not a number") << step + "SLURM_PROCID=a;SLURM_NTASKS=4"
                                               << "SLURM_PROCID='a' is not a non-negative integer";
    QTest::newRow("SLURM_NTASKS not a number") << step + "SLURM_PROCID=0;SLURM_NTASKS=two"
                                               << "SLURM_NTASKS='two' is not a positive integer";
    QTest::newRow("SLURM_NTASKS missing")
        << step + "SLURM_PROCID=0"
        << "SLURM_NTASKS is not set in an srun step (SLURM_PROCID=0)";
    QTest::newRow("SLURM_LOCALID not a number")
        << step + "SLURM_PROCID=0;SLURM_NTASKS=2;SLURM_LOCALID=?"
        << "SLURM_LOCALID='?' is not a non-negative integer";
    QTest::newRow("SLURM_JOB_ID not a number")
        << step + "SLURM_PROCID=0;SLURM_NTASKS=2;SLURM_JOB_ID=12.5"
        << "SLURM_JOB_ID='12.5' is not a non-negative integer";
    QTest::newRow("node list: [ without ]")
        << "SLURM_STEP_ID=0;SLURM_PROCID=0;SLURM_NTASKS=2;SLURM_STEP_NODELIST=node[01-04"
        << "SLURM_STEP_NODELIST='node[01-04' is not a Slurm node list ('[' without ']')";
    QTest::newRow("node list: ] without [")
        << "SLURM_STEP_ID=0;SLURM_PROCID=0;SLURM_NTASKS=2;SLURM_NODELIST=node01]"
        << "SLURM_NODELIST='node01]' is not a Slurm node list (']' without '[')";
    QTest::newRow("node list: letters in a range")
        << "SLURM_STEP_ID=0;SLURM_PROCID=0;SLURM_NTASKS=2;SLURM_NODELIST=n[a-c]"
        << "SLURM_NODELIST='n[a-c]' is not a Slurm node list (a range of something other than "
           "numbers)";
    QTest::newRow("node list: empty first entry")
        << "SLURM_STEP_ID=0;SLURM_PROCID=0;SLURM_NTASKS=2;SLURM_NODELIST=,n1"
        << "SLURM_NODELIST=',n1' is not a Slurm node list (no host)";
    QTest::newRow("slurm without node list")
        << "SLURM_STEP_ID=0;SLURM_PROCID=0;SLURM_NTASKS=2"
        << "neither MASTER_ADDR nor SLURM_STEP_NODELIST/SLURM_NODELIST is set in a Slurm step of 2 "
           "tasks: rank 0's host is needed for the rendezvous";
  }
  void rejects() {
    QFETCH(QString, env);
    QFETCH(QString, message);
    try {
      const DistEnv e = parse(env_of(env));
      QFAIL(qPrintable("accepted: " + QString::fromStdString(e.describe())));
    } catch (const std::invalid_argument& ex) {
      QCOMPARE(QString::fromUtf8(ex.what()), message);
    }
  }

  void describe() {
    QCOMPARE(QString::fromStdString(DistEnv{}.describe()), QString("single process"));
    const DistEnv e =
        parse(env_of("RANK=1;WORLD_SIZE=4;LOCAL_RANK=1;MASTER_ADDR=10.0.0.1;"
                     "MASTER_PORT=29500;TORCHELASTIC_RUN_ID=x"));
    QCOMPARE(QString::fromStdString(e.describe()),
             QString("rank 1 of 4 (local 1) via torchrun, store 10.0.0.1:29500"));
  }

  void first_host_direct() {
    QCOMPARE(QString::fromStdString(slurm_first_host("node[001-004]")), QString("node001"));
    QCOMPARE(QString::fromStdString(slurm_first_host("n[7]x")), QString("n7x"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, slurm_first_host(""));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, slurm_first_host("n[]"));
  }

  void free_port_can_be_bound() {
    const int port = free_tcp_port();
    QVERIFY2(port >= 1024 && port <= 65535, qPrintable(QString::number(port)));
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(uint16_t(port));
    const int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::close(fd);
    QCOMPARE(rc, 0);
    QVERIFY(free_tcp_port() > 0);
  }
};

QTEST_APPLESS_MAIN(TestDistEnv)
#include "test_dist_env.moc"
