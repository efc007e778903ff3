// BpeTokenizer: the byte-level BPE tokenizer of GPT-2, Llama 3 and Qwen 2 (Radford et al. 2019,
// "Language Models are Unsupervised Multitask Learners"; reference encoder: openai/gpt-2
// src/encoder.py), read from a Hugging Face model folder, so that `muonscope-cli inspect` can
// tokenize probe text the way the model was trained. Torch- and Qt-free; regexes via PCRE2.
//
// Formats (see the HF tokenizers docs, huggingface.co/docs/tokenizers, "Components"):
//  - tokenizer.json: model.type "BPE" with vocab and merges ("a b" strings or [a, b] pairs),
//    model.ignore_merges (Llama 3: a pre-token already in the vocabulary maps directly);
//    pre_tokenizer ByteLevel (use_regex: the GPT-2 pattern; add_prefix_space) or a Sequence of
//    Split{Regex or String, behavior Isolated, invert false} stages ending in ByteLevel (Llama 3,
//    Qwen 2); added_tokens (split off first, leftmost-longest, lstrip/rstrip honoured, mapped to
//    their ids); normalizer null or NFC; decoder null or ByteLevel.
//  - vocab.json + merges.txt (GPT-2 files): ByteLevel with the GPT-2 pattern, no added tokens.
// Refused with a DataError (a std::runtime_error) naming the file and the key/value found:
// other models (WordPiece, Unigram, WordLevel), byte_fallback / Metaspace (SentencePiece-style
// Llama 2, Mistral), other normalizers, pre-tokenizers and decoders, dropout, subword prefixes or
// suffixes, single_word added tokens. Malformed JSON, a merge naming an unknown token, a missing
// file: DataError naming the file.
// NFC: no Unicode tables here, so an NFC normalizer is accepted and the input is taken as already
// NFC (true of almost all text; a decomposed accent would tokenize differently from HF).
// encode() adds no BOS/EOS or other special tokens (the post_processor is ignored); added tokens
// written literally in the text ("<|endoftext|>") become their ids, as in HF. Input must be
// valid UTF-8, else DataError with the byte offset. decode() returns the raw bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ms {

class BpeTokenizer {
 public:
  // tokenizer.json if the folder has one, else vocab.json + merges.txt. Throws DataError.
  static BpeTokenizer from_folder(const std::string& dir);
  static BpeTokenizer from_tokenizer_json(const std::string& path);
  static BpeTokenizer from_vocab_merges(const std::string& vocab_path,
                                        const std::string& merges_path);

  BpeTokenizer(BpeTokenizer&&) noexcept;
  BpeTokenizer& operator=(BpeTokenizer&&) noexcept;
  ~BpeTokenizer();

  // Token ids of UTF-8 text. Thread-safe (const, no shared mutable state). Throws DataError on
  // invalid UTF-8 or a byte missing from the vocabulary.
  std::vector<int32_t> encode(const std::string& utf8) const;
  // The bytes of the tokens (added tokens as their content). Throws DataError on an unknown id.
  std::string decode(const std::vector<int32_t>& ids) const;
  // 1 + the largest id (vocabulary and added tokens).
  int vocab_size() const;
  // One line for logs: source file, pre-tokenizer, sizes.
  std::string description() const;

  struct Impl;

 private:
  explicit BpeTokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ms
