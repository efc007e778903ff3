// Writer-liveness lock of the run file (see RunFile.h): an open-file-description lock, which
// the kernel releases when the writing process exits or is killed, and which neither HDF5's
// own flock() nor other descriptors of the same process interfere with.
#include "store/RunFile.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "store/H5Util.h"

namespace ms {

namespace {

struct flock whole_file(short type) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;  // to the end of the file, however it grows
  fl.l_pid = 0;  // required for OFD locks
  return fl;
}

}  // namespace

bool run_writer_alive(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock fl = whole_file(F_WRLCK);
  int r = -1;
#ifdef F_OFD_GETLK
  r = ::fcntl(fd, F_OFD_GETLK, &fl);
#endif
  if (r < 0) {  // kernel without OFD locks: classic POSIX query (sees other processes only)
    fl = whole_file(F_WRLCK);
    r = ::fcntl(fd, F_GETLK, &fl);
  }
  ::close(fd);
  return r == 0 && fl.l_type != F_UNLCK;
}

namespace h5 {

int take_writer_lock(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return -2;
  struct flock fl = whole_file(F_WRLCK);
  int r = -1;
#ifdef F_OFD_SETLK
  r = ::fcntl(fd, F_OFD_SETLK, &fl);
#endif
  if (r < 0 && errno == EINVAL) {
    fl = whole_file(F_WRLCK);
    r = ::fcntl(fd, F_SETLK, &fl);
  }
  if (r < 0 && (errno == EAGAIN || errno == EACCES)) {  // held by another writer
    ::close(fd);
    return -1;
  }
  return fd;  // locked, or unlocked where the file system has no locks (ENOLCK)
}

void release_writer_lock(int fd) {
  if (fd >= 0) ::close(fd);
}

}  // namespace h5
}  // namespace ms
