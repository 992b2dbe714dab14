// Package tasks defines clbench's tasks and streams: it reads the
// datasets, caps and samples them, maps words to token ids, and scores
// predictions. It has no GoMLX import.
//
// A Stream is an ordered list of Tasks. Each task has a Kind (Classify:
// one label per sequence, scored by Accuracy; Tag: one BIO tag per
// word, scored by EntityF1), a label set, and a train and a test split
// of Examples.
//
// # Built-in streams
//
// Load reads a built-in stream by name; Streams lists them, with each
// task's files and default caps (StreamInfo.Specs). Files are relative
// to the data folder.
//
//	stream / task    files                                   caps train / test
//	sentiment-ner-domain v2 (v1: 8000 training examples of sst2 and conll2003)
//	  sst2           sst2/train.tsv, test.tsv                5000 / 872
//	  conll2003      crossner/conll2003/train.txt, test.txt  5000 / 1000
//	  electronics    fdu-mtl/electronics.task.train, .test   1600 / 400
//	amazon-domains v1
//	  books, dvd, electronics, kitchen_housewares
//	                 fdu-mtl/<d>.task.train, .task.test      1600 / 400
//	ner-domains v1
//	  conll2003      as above                                8000 / 1000
//	  politics, science, music, literature, ai
//	                 crossner/<d>/train.txt, test.txt        none / 500
//	uci-domains v1
//	  amazon, imdb, yelp
//	                 uci-sentences/<d>.json (skip_invalid),  none / none
//	                 a fifth held out as the test split
//	synthetic v1
//	  movie-sentiment, people-places, product-sentiment
//	                 generated, no files                     none / none
//	split-mnist-task v1, split-mnist-domain v1, split-mnist-class v1
//	  digits-0-1, digits-2-3, digits-4-5, digits-6-7, digits-8-9
//	                 mnist/ idx files (see FindMNIST)         none / none
//	permuted-mnist-task v1, permuted-mnist-domain v1, permuted-mnist-class v1
//	  permutation-1 ... permutation-10
//	                 as above                                none / none
//
// The synthetic stream needs no data. Its three tasks have 512
// training and 128 test sentences of 6 to 16 words, drawn with a fixed
// seed: (1) movie-sentiment, classify "negative" or "positive": movie
// filler words with one or two cue words of the label's set; (2)
// people-places, tag: filler words around one to three entities,
// persons (B-person, I-person for a last name) and places of one or
// two words (B-location, I-location); (3) product-sentiment, as (1)
// with other filler and other cue words, a domain shift. Each is
// learned from single words, but guessing scores 50% accuracy or 0 F1.
//
// The MNIST streams are the image streams of van de Ven and Tolias,
// "Three scenarios for continual learning" (2019), each in the
// paper's three scenarios, named by the suffix: -task (a head per
// task), -domain (one head shared by every task: split MNIST's "first
// or second digit of the pair", permuted MNIST's ten digits), -class
// (one head that grows with each task's classes; after task k only the
// classes of tasks 1..k can be predicted, Task.ActiveClasses). Split
// MNIST is five tasks of two digits, with every training and test
// image of those digits. Permuted MNIST is ten tasks of all ten
// digits, each image padded to 32 x 32; the first task keeps the
// pixels' order and each later one reorders them by a fixed
// permutation drawn from the stream's data seed. Examples hold Pixels
// instead of Words.
//
// # Data folder
//
// DataDir picks the data folder: the --data flag, else $CLBENCH_DATA,
// else clbench under the user's cache folder. A missing file is a
// MissingFileError naming the file, the folder and how to set it.
//
// # Formats
//
// Every text format accepts a UTF-8 byte-order mark and CRLF line
// ends. An empty file, a file without examples, and a row without a
// label are errors that name the file, and the line (tsv, conll,
// jsonl), the entry (json, counted from 0 like jq's .[i]) or the row
// (parquet, counted from 1). No reader panics on bad input.
//
//   - tsv (classify): one example a line, columns split at a delimiter
//     (default a tab; no quoting). With a header (the default), columns
//     are found by name (default "sentence" and "label", as SST-2) and
//     every row has as many columns as the header; without one, by
//     0-based index (default text 1, label 0, as FDU-MTL's
//     label<TAB>text). Text goes through SplitWords. Empty lines are
//     not rows.
//   - conll (tag): "word<TAB>tag" a line (on lines without a tab, the
//     word is the first space-separated field and the tag the last), a
//     blank line after each sentence. Lines starting with -DOCSTART-
//     end a sentence and are skipped. Tags must be "O", "B-X" or "I-X"
//     (X of any case, as CrossNER's B-person); any other tag is an
//     error naming its line.
//   - json (classify): one array of objects, with a text field and a
//     label field (default "text" and "class", as uci-sentences).
//   - jsonl (classify): one such object a line.
//   - parquet: for classify, a string text column and a string or
//     integer label column (default "text" and "label"); for tag,
//     list<string> columns of words and tags (default "tokens" and
//     "tags").
//
// Labels may be strings or numbers; numbers are rendered in decimal
// ("0", "1"). An example whose text or label is missing, null or empty
// is an error, unless the task says skip_invalid: then it is skipped
// and each skip is reported (Task.Skipped and a warning to
// Options.Logger) with its file and line or entry, never silently.
//
// # Labels
//
// Label ids index Task.Labels, derived from the whole training file
// (before caps, so a cap never changes them). Classify: the distinct
// training labels, sorted. Tag: "O", then B-X and I-X for every entity
// type X seen in training, sorted; both tags of a type are kept so
// that a test file may use I-X where training had only B-X (CrossNER
// science does, for chemicalelement). A test label, tag or entity type
// never seen in training is an error naming the test file and line.
//
// # Caps, few-shot and digest
//
// A cap keeps a random subset of a split, drawn with the stream's
// fixed data seed and the task's name, never with the run's seed: every
// run of a stream version sees the same data, and a task that appears
// in two streams with the same caps has the same examples in both.
// Options.MaxTrain and MaxTest replace every cap (positive) or remove
// them (negative). Subsets keep the file's order. A task without a
// test file holds out a share of its training file (test_fraction,
// default 0.2) in the same way.
//
// With Options.Shots = N > 0, every task after the first keeps N
// training examples, drawn with Options.Seed after the caps. When N is
// at least the number of classes (labels, or entity types for tag
// tasks) each class appears at least once. Test splits are unchanged.
//
// Stream.Digest is the SHA-256 of the loaded content: each task's
// name, kind, labels, and train and test examples, after caps and
// sampling. All random draws use the package's own SplitMix64
// generator, so the data never changes with the Go release.
//
// # Tokens
//
// Tokenizer maps a word to NumReserved + FNV-1a-64(lower-cased word)
// mod (Buckets - NumReserved). Ids 0 to 3 are reserved: PadID, ClsID,
// MaskID, UnkID. Encode returns one id per word (truncated, no start
// token, no padding), so ids line up with Example.Tags.
//
// # Stream files
//
// LoadFile (or Load with a path ending in .yaml or .yml) reads a
// stream from YAML. Paths are relative to the YAML file's folder.
// testdata/example-stream.yaml shows every key.
//
//	name: my-stream          # required
//	version: "1"             # optional, default "1"
//	description: ...         # optional
//	data_seed: 0             # optional: draws caps and held-out splits
//	tasks:                   # required, one or more, in training order
//	  - name: reviews        # required, unique
//	    kind: classify       # required: classify or tag
//	    format: tsv          # required: tsv, conll, json, jsonl, parquet
//	    train: reviews/train.tsv   # required
//	    test: reviews/test.tsv     # optional: else test_fraction held out
//	    header: true         # tsv (default true)
//	    text_column: sentence  # tsv, parquet (see Formats for defaults)
//	    label_column: label    # tsv, parquet
//	    delimiter: "\t"      # tsv
//	    text_field: text     # json, jsonl (default "text")
//	    label_field: class   # json, jsonl (default "class")
//	    tokens_column: tokens  # parquet tag (default "tokens")
//	    tags_column: tags      # parquet tag (default "tags")
//	    skip_invalid: false  # skip (and report) examples without text or label
//	    max_train: 0         # default cap, 0 = none
//	    max_test: 0
//	    test_fraction: 0.2   # only without test; between 0 and 1
//
// A tag task reads conll or parquet; a classify task reads any format
// but conll. Unknown keys, keys given twice, keys that do not apply to
// the task's format, missing required keys, duplicate task names, an
// unknown kind or format, and values of the wrong type are errors that
// name the YAML file and the line.
//
// # Scores
//
// Accuracy is the share of right labels. EntityF1 is entity-level
// micro F1 with exact span and type match, where entities follow the
// CoNLL-2000 conlleval rule (see Entities): an entity starts at B-X, or
// at I-X after O, after another type or at the sentence start, and
// continues over I-X of its type. F1 is 0 when no entity is right.
package tasks
