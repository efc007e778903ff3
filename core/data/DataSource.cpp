// The DataSource factory (dispatch on data.source), the default questions() of non-QA sources,
// and min_split_tokens() for config validation against seq_len.
#include "data/DataSource.h"

#include <algorithm>

#include "data/FileSources.h"
#include "data/TailQA.h"
#include "train/RunConfig.h"

namespace ms {

const std::vector<QAItem>& DataSource::questions() const {
  static const std::vector<QAItem> none;
  return none;
}

std::unique_ptr<DataSource> make_data_source(const DataConfig& cfg, uint64_t seed) {
  if (cfg.source == "tailqa")
    return std::make_unique<TailQASource>(cfg.tailqa_groups, cfg.tailqa_qa, cfg.tailqa_tokens,
                                          seed);
  if (cfg.source == "text") return std::make_unique<TextSource>(cfg.path, cfg.val_fraction);
  if (cfg.source == "tokens")
    return std::make_unique<TokenSource>(cfg.path, cfg.val_path, cfg.val_fraction);
  throw DataError("data.source = '" + cfg.source +
                  "': unknown source (expected tailqa, text or tokens)");
}

int64_t min_split_tokens(const DataSource& source) {
  return std::min(source.size(Split::Train), source.size(Split::Val));
}

}  // namespace ms
