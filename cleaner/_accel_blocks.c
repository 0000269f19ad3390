/* Compiled inner loops of the web block classifier (cleaner/steps/blocks.py, block_model.py).
 *
 * Why: the classifier looks at a page three or four times (until what it keeps is stable), and
 * each look's Python and numpy work per block (jusText's context pass, the model's 60 features,
 * the text statistics of new blocks) made the `web` pack ten times slower than `default`. These
 * functions do the same arithmetic in the same order; the Python code stays as the fallback and
 * the reference, and tests check that both agree.
 *
 * Two things keep numpy's digits on purpose: log1p (numpy's SIMD log1p differs from libm's in the
 * last bit on some machines, so block_pass looks numpy's results up in a table of whole counts, or
 * leaves the raw values for Python) and the model's hidden layer (numpy's matrix product).
 */
#include "_accel.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* block_model.TEXT_COLUMNS, in order; Python checks it before using these functions. */
enum {
    T_LETTERS,
    T_UPPER,
    T_DIGITS,
    T_PUNCT,
    T_CAPITALISED,
    T_SEPARATORS,
    T_AT,
    T_COPYRIGHT_SIGNS,
    T_ENDS_SENTENCE,
    T_ENDS_COLON,
    T_SENTENCES,
    T_LINK,
    T_COPYRIGHT_TEXT,
    T_COPYRIGHT_ENTITY,
    T_COUNT
};
const char *const block_text_columns[] = {
    "letters",       "upper",      "digits",      "punctuation",     "capitalised",    "separators",
    "at_signs",      "copyright_signs", "ends_sentence", "ends_colon", "sentences", "link_text",
    "copyright_text", "copyright_entity", NULL};

/* block_model.FEATURES, in order (the neighbour columns are 5 per neighbour, -3..-1, +1..+3). */
#define N_FEATURES 60
const char *const block_features[] = {
    "log_chars", "log_words", "stopwords", "ends_sentence", "ends_colon", "digit_share", "upper_share",
    "punctuation_share", "capitalised_words", "copyright", "separator", "link_or_email", "sentences", "lines",
    "heading_like", "first_good", "first_neargood", "first_short", "first_bad", "final_good",
    "n-3_log_chars", "n-3_stopwords", "n-3_good", "n-3_short", "n-3_exists",
    "n-2_log_chars", "n-2_stopwords", "n-2_good", "n-2_short", "n-2_exists",
    "n-1_log_chars", "n-1_stopwords", "n-1_good", "n-1_short", "n-1_exists",
    "n+1_log_chars", "n+1_stopwords", "n+1_good", "n+1_short", "n+1_exists",
    "n+2_log_chars", "n+2_stopwords", "n+2_good", "n+2_short", "n+2_exists",
    "n+3_log_chars", "n+3_stopwords", "n+3_good", "n+3_short", "n+3_exists",
    "unit_position", "char_position", "relative_length", "removed_before", "log_page_chars",
    "page_good_share", "log_good_chars_near", "good_distance", "before_first_good", "after_last_good", NULL};

/* block_model._char_table's bits */
enum { B_LETTER = 1, B_UPPER = 2, B_DIGIT = 4, B_PUNCT = 8, B_WORD = 16, B_SEPARATOR = 32, B_AT = 64, B_COPYRIGHT = 128 };


/* The last character of the text with trailing whitespace stripped (str.rstrip()), 0 if none. */
static Py_UCS4
last_char(int kind, const void *data, Py_ssize_t len)
{
    while (len > 0 && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, len - 1)))
        len--;
    return len ? PyUnicode_READ(kind, data, len - 1) : 0;
}

static int
ends_sentence(Py_UCS4 c) /* blocks.SENTENCE_END == block_model._SENTENCE_END */
{
    return c == '.' || c == '!' || c == '?' || c == '"' || c == 0x201D || c == 0xBB || c == ')';
}

static inline int
is_word(Py_UCS4 c) /* re's \w on str */
{
    if (c < 128)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    return Py_UNICODE_ISALNUM(c);
}

static inline Py_UCS4
lower(Py_UCS4 c) /* str.lower() of one character, except U+0130 and a capital sigma (checked apart) */
{
    if (c < 128)
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    return Py_UNICODE_TOLOWER(c);
}

/* ---- block_text_stats ------------------------------------------------------------- */

typedef struct {
    Py_ssize_t counts[T_SENTENCES + 1];
    Py_ssize_t words;
    int link, copyright_text, copyright_entity;
} TextCounts;

/* A block model's lexicon (block_model.Lexicon) as one text's scan reads it: `table` maps a word to
 * its entry + 1, `weights` holds three per entry (as any of the first `first_words` words, as the
 * first word, as the last). `sum` adds them in the order Lexicon.scores does; `last` is the entry
 * of the last word read (0: none or not in the table, -1: not looked up yet, for a word past the
 * first ones: only the last of those is, at the end, from `last_start`, `last_length`, `last_hash`). */
typedef struct {
    const WordTable *table;
    const double *weights;
    Py_ssize_t first_words;
    double sum;
    long long last;
    Py_ssize_t last_start, last_length;
    uint64_t last_hash;
} LexiconScan;

/* The value of a word in `table`, 0 where it lacks it (a word longer than any it holds, at once). */
static inline long long
word_value(const WordTable *table, uint64_t h, const Py_UCS4 *word, Py_ssize_t len)
{
    return len <= table->longest ? word_table_find(table, h, word, len) : 0;
}

/* The `index`th word of a text (1-based; `word`: lower-cased, hash h) has ended: its weights as one
 * of the first words or as the first, and where it might be the last word. */
static void
lexicon_word(LexiconScan *lex, Py_ssize_t index, uint64_t h, const Py_UCS4 *word, Py_ssize_t start, Py_ssize_t len)
{
    long long entry = -1;
    if (index <= lex->first_words || index == 1) {
        entry = word_value(lex->table, h, word + start, len);
        if (entry) {
            const double *w = lex->weights + 3 * (entry - 1);
            if (index <= lex->first_words)
                lex->sum += w[0];
            if (index == 1)
                lex->sum += w[1];
        }
    }
    lex->last = entry;
    lex->last_start = start;
    lex->last_length = len;
    lex->last_hash = h;
}

/* Whether the ASCII `needle` occurs in s[at:len]. */
#define ASCII_AT(TYPE, s, len, at, needle, found)                                                                      \
    do {                                                                                                               \
        const char *needle_ = (needle);                                                                                \
        (found) = 1;                                                                                                   \
        for (Py_ssize_t j_ = 0; needle_[j_]; j_++)                                                                     \
            if ((at) + j_ >= (len) || (s)[(at) + j_] != (TYPE)(unsigned char)needle_[j_]) {                           \
                (found) = 0;                                                                                           \
                break;                                                                                                 \
            }                                                                                                          \
    } while (0)

/* One pass over a text of one string kind: the character classes of block_model._char_table
 * (`bits_of`), the substrings text_columns tests, and the \w+ words of its lower-cased form, each
 * looked up in the stopword table as it ends (`hits`: per language). `lowered` holds a word's
 * characters for the lookup. 1 where the text holds U+0130 or a capital sigma (Python lowers it). */
#define COUNT_TEXT(NAME, TYPE)                                                                                         \
    static int NAME(const void *data, Py_ssize_t len, const uint8_t *bits_of, Py_UCS4 *lowered,                      \
                    const WordTable *stopwords, Py_ssize_t nlang, double *hits, LexiconScan *lex, TextCounts *out)    \
    {                                                                                                                  \
        const TYPE *s = data;                                                                                          \
        memset(out, 0, sizeof(*out));                                                                                  \
        Py_ssize_t *counts = out->counts;                                                                              \
        int previous_word = 0; /* block_model._character_counts: a capital after a non-word character */             \
        Py_ssize_t start = -1; /* where the word being read began (-1: none) */                                       \
        uint64_t h = WORD_HASH_START;                                                                                  \
        for (Py_ssize_t k = 0; k <= len; k++) {                                                                        \
            Py_UCS4 lc = 0;                                                                                            \
            int word = 0;                                                                                              \
            if (k < len) {                                                                                             \
                Py_UCS4 c = s[k];                                                                                      \
                if (c == 0x130 || c == 0x3A3)                                                                          \
                    return 1;                                                                                          \
                uint8_t b = bits_of[c < 0xFFFF ? c : 0xFFFF];                                                          \
                counts[T_LETTERS] += (b & B_LETTER) != 0;                                                              \
                counts[T_UPPER] += (b & B_UPPER) != 0;                                                                 \
                counts[T_DIGITS] += (b & B_DIGIT) != 0;                                                                \
                counts[T_PUNCT] += (b & B_PUNCT) != 0;                                                                 \
                counts[T_CAPITALISED] += (b & B_UPPER) && !previous_word;                                              \
                counts[T_SEPARATORS] += (b & B_SEPARATOR) != 0;                                                        \
                counts[T_AT] += (b & B_AT) != 0;                                                                       \
                counts[T_COPYRIGHT_SIGNS] += (b & B_COPYRIGHT) != 0;                                                   \
                previous_word = (b & B_WORD) != 0;                                                                     \
                lc = lower(c);                                                                                         \
                word = is_word(lc);                                                                                    \
                int found;                                                                                             \
                switch (c) { /* the substrings text_columns tests (str.count, `in`) */                                 \
                case '.':                                                                                              \
                case '?':                                                                                              \
                case '!':                                                                                              \
                    counts[T_SENTENCES] += k + 1 < len && s[k + 1] == ' ';                                             \
                    break;                                                                                             \
                case 'h':                                                                                              \
                    ASCII_AT(TYPE, s, len, k, "http", found);                                                          \
                    out->link |= found;                                                                                \
                    break;                                                                                             \
                case 'w':                                                                                              \
                    ASCII_AT(TYPE, s, len, k, "www.", found);                                                          \
                    out->link |= found;                                                                                \
                    break;                                                                                             \
                case '(':                                                                                              \
                    ASCII_AT(TYPE, s, len, k, "(c)", found);                                                           \
                    out->copyright_text |= found;                                                                      \
                    ASCII_AT(TYPE, s, len, k, "(C)", found);                                                           \
                    out->copyright_text |= found;                                                                      \
                    break;                                                                                             \
                case '&':                                                                                              \
                    ASCII_AT(TYPE, s, len, k, "&copy", found);                                                         \
                    out->copyright_entity |= found;                                                                    \
                    break;                                                                                             \
                }                                                                                                      \
            }                                                                                                          \
            if (word) {                                                                                                \
                if (start < 0) {                                                                                       \
                    start = k;                                                                                         \
                    h = WORD_HASH_START;                                                                               \
                }                                                                                                      \
                lowered[k] = lc;                                                                                       \
                h = word_hash_step(h, lc);                                                                             \
            } else if (start >= 0) { /* a word ends */                                                                 \
                out->words++;                                                                                          \
                if (nlang) {                                                                                           \
                    long long found_bits = word_value(stopwords, h, lowered + start, k - start);                       \
                    for (Py_ssize_t lang = 0; found_bits && lang < nlang; lang++)                                      \
                        hits[lang] += (double)((found_bits >> lang) & 1);                                              \
                }                                                                                                      \
                if (lex)                                                                                               \
                    lexicon_word(lex, out->words, h, lowered, start, k - start);                                       \
                start = -1;                                                                                            \
            }                                                                                                          \
        }                                                                                                              \
        if (lex && lex->last < 0) /* the last word, past the first ones: looked up once, here */                      \
            lex->last = word_value(lex->table, lex->last_hash, lowered + lex->last_start, lex->last_length);           \
        return 0;                                                                                                      \
    }

COUNT_TEXT(count_ucs1, Py_UCS1)
COUNT_TEXT(count_ucs2, Py_UCS2)
COUNT_TEXT(count_ucs4, Py_UCS4)


/* block_text_stats(texts, stopwords, languages, table[, lexicon, weights, first_words, bias]) -> bytes | None:
 * per text, a row of float64: words, stopword hits per language (bit k of the word's WordTable value),
 * then TEXT_COLUMNS, then, given a lexicon (a WordTable: word -> entry + 1; `weights`: three float64 per
 * entry), the text's lexical score as block_model.Lexicon.scores computes it. As
 * BlockClassifierStep._compute_stats: words are re's \w+ runs of text.lower(), characters are
 * classified by block_model._char_table (`table`, 65,536 bytes). None where lower-casing needs
 * Python's str.lower() (U+0130 or a capital sigma). */
PyObject *
block_text_stats(PyObject *self, PyObject *args)
{
    PyObject *texts;
    WordTable *stopwords;
    Py_ssize_t nlang;
    Py_buffer table, weights = {0};
    PyObject *lexicon = Py_None;
    Py_ssize_t first_words = 0;
    double bias = 0.0;
    if (!PyArg_ParseTuple(args, "O!O!ny*|Oy*nd", &PyList_Type, &texts, &WordTableType, &stopwords, &nlang, &table,
                          &lexicon, &weights, &first_words, &bias))
        return NULL;
    PyObject *result = NULL;
    Py_UCS4 *lowered = NULL;
    Py_ssize_t capacity = 0;
    if (table.len != 0x10000 || nlang < 0 || nlang > 62) {
        PyErr_SetString(PyExc_ValueError, "block_text_stats: table must be 65536 bytes, languages 0..62");
        goto done;
    }
    LexiconScan scan = {0}, *lex = NULL;
    if (lexicon != Py_None) {
        if (!PyObject_TypeCheck(lexicon, &WordTableType) || !weights.buf || first_words < 0 ||
            ((WordTable *)lexicon)->smallest < 0 ||
            weights.len < 3 * (Py_ssize_t)sizeof(double) * ((WordTable *)lexicon)->largest) {
            PyErr_SetString(PyExc_ValueError, "block_text_stats: a lexicon needs a WordTable of entries >= 0, 3 "
                                              "float64 weights per entry and first_words >= 0");
            goto done;
        }
        scan.table = (const WordTable *)lexicon;
        scan.weights = (const double *)weights.buf;
        scan.first_words = first_words;
        lex = &scan;
    }
    const uint8_t *bits_of = (const uint8_t *)table.buf;
    Py_ssize_t n = PyList_GET_SIZE(texts), ncols = 1 + nlang + T_COUNT + (lex != NULL);
    result = PyBytes_FromStringAndSize(NULL, n * ncols * (Py_ssize_t)sizeof(double));
    if (!result)
        goto done;
    double *out = (double *)PyBytes_AS_STRING(result);
    memset(out, 0, (size_t)(n * ncols) * sizeof(double));
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = PyList_GET_ITEM(texts, i);
        if (!PyUnicode_Check(text) || READY(text) < 0) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "block_text_stats: texts must be str");
            Py_CLEAR(result);
            goto done;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        if (len > capacity) {
            Py_UCS4 *grown = PyMem_Realloc(lowered, (size_t)len * sizeof(Py_UCS4));
            if (!grown) {
                PyErr_NoMemory();
                Py_CLEAR(result);
                goto done;
            }
            lowered = grown;
            capacity = len;
        }
        double *row = out + i * ncols, *col = row + 1 + nlang;
        TextCounts counts;
        int status;
        if (kind == PyUnicode_1BYTE_KIND)
            status = count_ucs1(data, len, bits_of, lowered, stopwords, nlang, row + 1, lex, &counts);
        else if (kind == PyUnicode_2BYTE_KIND)
            status = count_ucs2(data, len, bits_of, lowered, stopwords, nlang, row + 1, lex, &counts);
        else
            status = count_ucs4(data, len, bits_of, lowered, stopwords, nlang, row + 1, lex, &counts);
        if (status) { /* str.lower() maps U+0130 and a capital sigma by context or to two characters */
            Py_CLEAR(result);
            Py_INCREF(Py_None);
            result = Py_None;
            goto done;
        }
        for (int t = 0; t <= T_SENTENCES; t++)
            col[t] = (double)counts.counts[t];
        Py_UCS4 last = len ? PyUnicode_READ(kind, data, len - 1) : 0;
        col[T_ENDS_SENTENCE] = len && ends_sentence(last);
        col[T_ENDS_COLON] = last == ':';
        col[T_LINK] = counts.link;
        col[T_COPYRIGHT_TEXT] = counts.copyright_text;
        col[T_COPYRIGHT_ENTITY] = counts.copyright_entity;
        Py_ssize_t words = counts.words;
        row[0] = (double)words;
        if (lex) {
            if (lex->last > 0)
                lex->sum += lex->weights[3 * (lex->last - 1) + 2];
            Py_ssize_t tokens = (words < lex->first_words ? words : lex->first_words) + (words ? 2 : 0);
            row[ncols - 1] = bias + lex->sum / sqrt((double)(tokens ? tokens : 1));
            lex->sum = 0.0;
            lex->last = 0;
        }
    }
done:
    PyMem_Free(lowered);
    PyBuffer_Release(&table);
    if (weights.buf)
        PyBuffer_Release(&weights);
    return result;
}

/* ---- block_pass --------------------------------------------------------------------- */

typedef struct {
    Py_ssize_t length_low, length_high, max_heading_distance, heading_min_words, neargood_run_chars;
    double stopwords_low, stopwords_high;
} Settings;

/* For each block, the class of the nearest deciding block before it and after it (blocks.nearest). */
static void
nearest(Py_ssize_t n, const uint8_t *cls, const uint8_t *removed_before, int ignore_neargood, uint8_t edge,
        uint8_t *before, uint8_t *after)
{
    uint8_t current = edge;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (removed_before[k])
            current = BAD;
        before[k] = current;
        if (cls[k] == GOOD || cls[k] == BAD || (!ignore_neargood && cls[k] == NEARGOOD))
            current = cls[k];
    }
    current = edge;
    for (Py_ssize_t k = n - 1; k >= 0; k--) {
        after[k] = current;
        if (cls[k] == GOOD || cls[k] == BAD || (!ignore_neargood && cls[k] == NEARGOOD))
            current = cls[k];
        if (removed_before[k])
            current = BAD;
    }
}

/* For each block: a good block ahead within max_heading_distance characters of blocks that are
 * neither good nor a menu item (blocks.good_follows). */
static void
good_follows(Py_ssize_t n, const uint8_t *cls, const uint8_t *heading, const Py_ssize_t *chars, double limit,
             uint8_t *out)
{
    double needed = INFINITY;
    for (Py_ssize_t j = n - 1; j >= 0; j--) {
        out[j] = needed <= limit;
        if (cls[j] == GOOD)
            needed = 0;
        else if (cls[j] == SHORT && !heading[j])
            needed = INFINITY;
        else
            needed += (double)chars[j];
    }
}

static int
any_of(Py_ssize_t n, const uint8_t *cls, uint8_t wanted)
{
    for (Py_ssize_t k = 0; k < n; k++)
        if (cls[k] == wanted)
            return 1;
    return 0;
}

/* jusText's context-sensitive pass (BlockClassifierStep._revise), into `out`; `work` holds 6n bytes. */
static void
revise(Py_ssize_t n, const Settings *s, const uint8_t *first, const uint8_t *removed_before, const uint8_t *heading,
       const Py_ssize_t *chars, const uint8_t *sentence_end, uint8_t *out, uint8_t *work)
{
    if (n <= 0)
        return;
    uint8_t *classes = work, *a = work + n, *b = work + 2 * n, *c = work + 3 * n, *d = work + 4 * n,
            *follows = work + 5 * n;
    memcpy(classes, first, (size_t)n);
    int headings = 0;
    for (Py_ssize_t k = 0; k + 1 < n; k++)
        headings |= heading[k] && (first[k + 1] == GOOD || first[k + 1] == NEARGOOD || heading[k + 1]);
    if (headings) {
        good_follows(n, first, heading, chars, (double)s->max_heading_distance, follows);
        for (Py_ssize_t k = 0; k + 1 < n; k++)
            if (heading[k] && (first[k + 1] == GOOD || first[k + 1] == NEARGOOD || heading[k + 1]) && follows[k])
                classes[k] = NEARGOOD;
    }
    memcpy(out, classes, (size_t)n);
    if (any_of(n, classes, SHORT)) {
        nearest(n, classes, removed_before, 1, BAD, a, b);
        nearest(n, classes, removed_before, 0, BAD, c, d);
        for (Py_ssize_t k = 0; k < n; k++) {
            if (classes[k] != SHORT)
                continue;
            uint8_t prev = a[k], next = b[k];
            if (prev == GOOD && next == GOOD)
                out[k] = GOOD;
            else if (prev == BAD && next == BAD)
                out[k] = BAD;
            else if ((prev == BAD && c[k] == NEARGOOD) || (next == BAD && d[k] == NEARGOOD))
                out[k] = GOOD;
            else
                out[k] = BAD;
        }
    }
    memcpy(classes, out, (size_t)n);
    if (any_of(n, classes, NEARGOOD) && s->neargood_run_chars) {
        Py_ssize_t k = 0;
        while (k < n) {
            Py_ssize_t end = k;
            while (end < n && classes[end] == NEARGOOD && (end == k || !removed_before[end]))
                end++;
            if (end - k >= 2) {
                Py_ssize_t total = 0, ends = 0;
                for (Py_ssize_t j = k; j < end; j++) {
                    total += chars[j];
                    ends += sentence_end[j];
                }
                if (total >= s->neargood_run_chars && 2 * ends >= end - k)
                    memset(classes + k, GOOD, (size_t)(end - k));
            }
            k = end > k + 1 ? end : k + 1;
        }
        memcpy(out, classes, (size_t)n);
    }
    if (any_of(n, classes, NEARGOOD)) {
        nearest(n, classes, removed_before, 1, NONE, a, b);
        for (Py_ssize_t k = 0; k < n; k++)
            if (classes[k] == NEARGOOD) {
                int bad = a[k] == BAD || b[k] == BAD, good = a[k] == GOOD || b[k] == GOOD;
                out[k] = bad && !good ? BAD : GOOD;
            }
    }
    if (headings) {
        good_follows(n, out, heading, chars, (double)s->max_heading_distance, follows);
        for (Py_ssize_t k = 0; k + 1 < n; k++)
            if (heading[k] && (first[k + 1] == GOOD || first[k + 1] == NEARGOOD || heading[k + 1]) && out[k] == BAD &&
                follows[k])
                out[k] = GOOD;
    }
}

/* block_model.unit_features, except that the log columns hold the raw value (Python takes log1p). */
static void
features(Py_ssize_t n, const double *stats, Py_ssize_t ncols, Py_ssize_t base, const Py_ssize_t *chars,
         const double *shares, const uint8_t *first, const uint8_t *final, const uint8_t *removed_before,
         const Py_ssize_t *lines, const uint8_t *heading, double *out)
{
    static const int offsets[6] = {-3, -2, -1, 1, 2, 3};
    double total = 0, longest = 0, good_total = 0;
    Py_ssize_t first_good = -1, last_good = -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        total += (double)chars[k];
        if ((double)chars[k] > longest)
            longest = (double)chars[k];
        if (final[k] == GOOD) {
            good_total += (double)chars[k];
            if (first_good < 0)
                first_good = k;
            last_good = k;
        }
    }
    double page_chars = total ? total : 1.0;
    double widest = longest > 1.0 ? longest : 1.0;
    double before = 0;
    Py_ssize_t next_good = first_good, previous_good = -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        const double *row = stats + k * ncols, *col = row + base;
        double *f = out + k * N_FEATURES;
        double size = chars[k] > 1 ? (double)chars[k] : 1.0, words = row[0];
        f[0] = (double)chars[k];
        f[1] = words;
        f[2] = shares[k];
        f[3] = col[T_ENDS_SENTENCE];
        f[4] = col[T_ENDS_COLON];
        f[5] = col[T_DIGITS] / size;
        f[6] = col[T_UPPER] / (col[T_LETTERS] > 1 ? col[T_LETTERS] : 1.0);
        f[7] = col[T_PUNCT] / size;
        f[8] = col[T_CAPITALISED] / (words > 1 ? words : 1.0);
        f[9] = col[T_COPYRIGHT_SIGNS] > 0 || col[T_COPYRIGHT_TEXT] > 0;
        f[10] = col[T_SEPARATORS] > 0;
        f[11] = col[T_AT] > 0 || col[T_LINK] > 0;
        f[12] = col[T_SENTENCES];
        f[13] = (double)lines[k];
        f[14] = heading[k];
        for (int c = 0; c < 4; c++)
            f[15 + c] = first[k] == c;
        f[19] = final[k] == GOOD;
        for (int d = 0; d < 6; d++) {
            double *g = f + 20 + 5 * d;
            Py_ssize_t j = k + offsets[d];
            if (j < 0 || j >= n) {
                g[0] = g[1] = g[2] = g[3] = g[4] = 0.0;
                continue;
            }
            g[0] = (double)chars[j];
            g[1] = shares[j];
            g[2] = final[j] == GOOD;
            g[3] = first[j] == SHORT;
            g[4] = 1.0;
        }
        /* block_model.unit_features: the good characters within 5 blocks either side, as a
         * difference of running sums (exact: every term is a whole number) */
        double near = 0;
        for (Py_ssize_t j = k - 5 < 0 ? 0 : k - 5; j < n && j <= k + 5; j++)
            if (j != k && final[j] == GOOD)
                near += (double)chars[j];
        while (next_good >= 0 && next_good < k) { /* the first good block at or after k */
            Py_ssize_t j = next_good + 1;
            while (j < n && final[j] != GOOD)
                j++;
            next_good = j < n ? j : -1;
        }
        f[50] = (double)k / (double)(n - 1 > 1 ? n - 1 : 1);
        f[51] = before / page_chars;
        f[52] = (double)chars[k] / widest;
        f[53] = removed_before[k];
        f[54] = page_chars;
        f[55] = good_total / page_chars;
        f[56] = near;
        if (first_good < 0) {
            f[57] = 1.0;
            f[58] = f[59] = 0.0;
        } else {
            /* numpy's searchsorted(good_at, k): the last good block before k (else the first one) and
             * the first at or after k (else the last one) */
            Py_ssize_t left_at = previous_good >= 0 ? previous_good : first_good;
            Py_ssize_t right_at = next_good >= 0 ? next_good : last_good;
            Py_ssize_t left = k > left_at ? k - left_at : left_at - k, right = right_at > k ? right_at - k : k - right_at;
            Py_ssize_t distance = left < right ? left : right;
            f[57] = (double)(distance < 10 ? distance : 10) / 10;
            f[58] = k < first_good;
            f[59] = k > last_good;
        }
        if (final[k] == GOOD)
            previous_good = k;
        before += (double)chars[k];
    }
}

/* The model's log columns, as numpy's log1p gives them: every value there is a whole number (a count of
 * characters, words, sentences or lines), so `table` (np.log1p of 0, 1, 2, ...) holds numpy's very
 * result; the page's characters (`page_column`) take libm's log1p, as math.log1p does. 0 (rows left
 * raw) where some value is not in the table: Python then takes numpy's log1p itself. */
static int
log_columns(Py_ssize_t n, double *rows, const uint8_t *columns, Py_ssize_t ncolumns, const double *table,
            Py_ssize_t size, Py_ssize_t page_column)
{
    if (!size || page_column < 0 || page_column >= N_FEATURES)
        return 0;
    for (Py_ssize_t c = 0; c < ncolumns; c++)
        if (columns[c] >= N_FEATURES)
            return 0;
    for (Py_ssize_t k = 0; k < n; k++)
        for (Py_ssize_t c = 0; c < ncolumns; c++) {
            double v = rows[k * N_FEATURES + columns[c]];
            if (!(v >= 0 && v < (double)size && v == floor(v)))
                return 0;
        }
    for (Py_ssize_t k = 0; k < n; k++) {
        double *row = rows + k * N_FEATURES;
        for (Py_ssize_t c = 0; c < ncolumns; c++)
            row[columns[c]] = table[(Py_ssize_t)row[columns[c]]];
        row[page_column] = log1p(row[page_column]);
    }
    return 1;
}

/* block_pass(texts, units, removed_before, stats, ncols, base, shares, settings, want_features,
 *            log_columns, log_table, page_column)
 *   -> (first, final, heading, features | None, whether the log columns are taken (log_columns))
 * BlockClassifierStep.analyse's classes for one look at a page (region_gap off): `stats` holds the
 * blocks' rows of _text_stats (float64, ncols each; TEXT_COLUMNS from `base`), `shares` their
 * stopword shares, settings (length_low, length_high, stopwords_low, stopwords_high,
 * max_heading_distance, heading_min_words, neargood_run_chars). Classes are bytes of
 * GOOD, NEARGOOD, SHORT, BAD (0..3); features are float64 rows of FEATURES, the log columns taken
 * where the last item says so (log_columns), raw otherwise. */
PyObject *
block_pass(PyObject *self, PyObject *args)
{
    PyObject *texts, *units, *removed_list;
    Py_buffer stats_buf, shares_buf, log_columns_buf, log_table_buf;
    Py_ssize_t ncols, base, page_column;
    Settings s;
    int want_features, logged = 0;
    if (!PyArg_ParseTuple(args, "O!O!O!y*nny*(nnddnnn)py*y*n", &PyList_Type, &texts, &PyList_Type, &units,
                          &PyList_Type, &removed_list, &stats_buf, &ncols, &base, &shares_buf, &s.length_low,
                          &s.length_high, &s.stopwords_low, &s.stopwords_high, &s.max_heading_distance,
                          &s.heading_min_words, &s.neargood_run_chars, &want_features, &log_columns_buf,
                          &log_table_buf, &page_column))
        return NULL;
    PyObject *result = NULL, *first_b = NULL, *final_b = NULL, *heading_b = NULL, *features_b = NULL;
    Py_ssize_t *chars = NULL, *lines = NULL;
    uint8_t *scratch = NULL;
    Py_ssize_t n = PyList_GET_SIZE(texts);
    if (PyList_GET_SIZE(units) != n || PyList_GET_SIZE(removed_list) != n || ncols < base + T_COUNT || base < 1 ||
        stats_buf.len != n * ncols * (Py_ssize_t)sizeof(double) || shares_buf.len != n * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "block_pass: arguments of different sizes");
        goto done;
    }
    const double *stats = (const double *)stats_buf.buf, *shares = (const double *)shares_buf.buf;
    chars = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
    lines = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
    scratch = PyMem_Malloc((size_t)(n ? n : 1) * 8);
    first_b = PyBytes_FromStringAndSize(NULL, n);
    final_b = PyBytes_FromStringAndSize(NULL, n);
    heading_b = PyBytes_FromStringAndSize(NULL, n);
    if (!chars || !lines || !scratch || !first_b || !final_b || !heading_b) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto done;
    }
    uint8_t *first = (uint8_t *)PyBytes_AS_STRING(first_b), *final = (uint8_t *)PyBytes_AS_STRING(final_b),
            *heading = (uint8_t *)PyBytes_AS_STRING(heading_b), *removed = scratch, *sentence_end = scratch + n;
    uint8_t *work = PyMem_Malloc((size_t)(n ? n : 1) * 6);
    if (!work) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *text = PyList_GET_ITEM(texts, k), *unit = PyList_GET_ITEM(units, k);
        if (!PyUnicode_Check(text) || READY(text) < 0 || !PyList_Check(unit)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "block_pass: texts must be str and units lists");
            PyMem_Free(work);
            goto done;
        }
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        chars[k] = len;
        lines[k] = PyList_GET_SIZE(unit);
        int flag = PyObject_IsTrue(PyList_GET_ITEM(removed_list, k));
        if (flag < 0) {
            PyMem_Free(work);
            goto done;
        }
        removed[k] = (uint8_t)flag;
        Py_UCS4 last = last_char(kind, data, len);
        sentence_end[k] = last && ends_sentence(last);
        /* context-free class (BlockClassifierStep._classify) */
        const double *col = stats + k * ncols + base;
        double share = shares[k];
        uint8_t code = share >= s.stopwords_high ? (len > s.length_high ? GOOD : NEARGOOD)
                                                 : (share >= s.stopwords_low ? NEARGOOD : BAD);
        if (len < s.length_low)
            code = SHORT;
        if (col[T_COPYRIGHT_SIGNS] > 0 || col[T_COPYRIGHT_ENTITY] > 0)
            code = BAD;
        first[k] = code;
        /* short and heading-like (BlockClassifierStep._heading_like) */
        heading[k] = code == SHORT && stats[k * ncols] >= (double)s.heading_min_words &&
                     !(last == '.' || last == '!' || last == '?' || last == ':' || last == ';' || last == ',');
    }
    revise(n, &s, first, removed, heading, chars, sentence_end, final, work);
    PyMem_Free(work);
    if (want_features) {
        features_b = PyBytes_FromStringAndSize(NULL, n * N_FEATURES * (Py_ssize_t)sizeof(double));
        if (!features_b)
            goto done;
        double *rows = (double *)PyBytes_AS_STRING(features_b);
        features(n, stats, ncols, base, chars, shares, first, final, removed, lines, heading, rows);
        logged = log_columns(n, rows, log_columns_buf.buf, log_columns_buf.len, log_table_buf.buf,
                             log_table_buf.len / (Py_ssize_t)sizeof(double), page_column);
    } else {
        Py_INCREF(Py_None);
        features_b = Py_None;
    }
    result = Py_BuildValue("(OOOOO)", first_b, final_b, heading_b, features_b, logged ? Py_True : Py_False);
done:
    Py_XDECREF(first_b);
    Py_XDECREF(final_b);
    Py_XDECREF(heading_b);
    Py_XDECREF(features_b);
    PyMem_Free(chars);
    PyMem_Free(lines);
    PyMem_Free(scratch);
    PyBuffer_Release(&stats_buf);
    PyBuffer_Release(&shares_buf);
    PyBuffer_Release(&log_columns_buf);
    PyBuffer_Release(&log_table_buf);
    return result;
}
