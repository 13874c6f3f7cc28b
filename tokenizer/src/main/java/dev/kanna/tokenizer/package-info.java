/*
 * The tokenizer module: Hugging Face-exact BERT WordPiece tokenization for the engine, the trainer
 * and library users. Depends on nothing else of Kanna's (Jackson only, for tokenizer.json).
 */

/**
 * Hugging Face-exact BERT WordPiece tokenization.
 *
 * <p>{@link dev.kanna.tokenizer.BertTokenizer} loads a {@code tokenizer.json}, a {@code vocab.txt}
 * (with its {@code tokenizer_config.json}) or a model directory, and produces
 * {@link dev.kanna.tokenizer.Encoding}s with the same ids, type ids, tokens, offsets and masks as HF
 * {@code tokenizers} 0.23: the BERT normalizer (clean text, Chinese characters, accent stripping,
 * lowercase), the BERT pre-tokenizer, WordPiece, added and special tokens, the template, truncation
 * ({@link dev.kanna.tokenizer.Truncation}) and padding ({@link dev.kanna.tokenizer.Padding}). A
 * committed corpus of HF's outputs is replayed by the tests.
 *
 * <p>Where HF has no defined answer, Kanna chooses one:
 * <ul>
 *   <li>a lone surrogate in a Java string reads as U+FFFD (HF's Python binding cannot receive one);</li>
 *   <li>a truncation length smaller than the special tokens the template adds is a
 *       {@link dev.kanna.tokenizer.TokenizationException} (HF underflows an unsigned integer);</li>
 *   <li>a vocab.txt without [CLS] or [SEP] is a {@link dev.kanna.tokenizer.TokenizerConfigException} at
 *       load (transformers would append them as new ids); a vocabulary without the unknown token loads,
 *       and encoding a word that needs it throws, as in HF;</li>
 *   <li>truncation does not produce the overflowing pieces HF keeps (its {@code stride} is ignored).</li>
 * </ul>
 * Decoding skips ids it does not know, as HF does.
 */
package dev.kanna.tokenizer;
