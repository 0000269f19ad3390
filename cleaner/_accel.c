/* Compiled inner loops of the repeats step (cleaner/steps/repeats.py).
 *
 * Why: the step's per-line Python work (strip, dict lookup, word counts) and the
 * near check's per-token work (split, sets, counting, prefix filtering) were the
 * slowest part of the default pipeline. These functions do the same work with the
 * same results; repeats.py keeps the pure-Python version as the fallback and the
 * reference, and tests check that both agree.
 *
 * Whitespace and case follow CPython's own str methods (Py_UNICODE_ISSPACE is what
 * str.split()/str.strip() use, Py_UNICODE_ISLOWER what str.islower() uses on one
 * character), so "a token" and "a stripped line" mean exactly what they mean there.
 */
#include "_accel.h"

#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>


#define FNV_OFFSET 1469598103934665603ULL /* FNV-1a: words and lines hashed as they are read */
#define FNV_PRIME 1099511628211ULL

/* Append n, or the pair (a, b), to a list; -1 with an exception set on failure. */
static int
append_number(PyObject *list, Py_ssize_t n)
{
    PyObject *number = PyLong_FromSsize_t(n);
    int rc = number ? PyList_Append(list, number) : -1;
    Py_XDECREF(number);
    return rc;
}

int
append_pair(PyObject *list, Py_ssize_t a, Py_ssize_t b)
{
    PyObject *pair = Py_BuildValue("(nn)", a, b);
    int rc = pair ? PyList_Append(list, pair) : -1;
    Py_XDECREF(pair);
    return rc;
}

/* ---- repeat_scan ------------------------------------------------------------------ */

/* The words of text[a:b] as str.split() counts them, counting no further than `most` (negative: all). */
static Py_ssize_t
words_in(int kind, const void *data, Py_ssize_t a, Py_ssize_t b, Py_ssize_t most)
{
    Py_ssize_t words = 0;
    for (Py_ssize_t p = a; p < b && (most < 0 || words < most);) {
        while (p < b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, p)))
            p++;
        if (p >= b)
            break;
        words++;
        while (p < b && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, p)))
            p++;
    }
    return words;
}

/* The spans of a text's first `most` lines (all where `most` < 0): line k is
 * text[spans[2k]:spans[2k + 1]], split at "\n" as str.split("\n") splits; *n_lines gets their number.
 * NULL with MemoryError set on failure. */
static Py_ssize_t *
line_spans(int kind, const void *data, Py_ssize_t len, Py_ssize_t most, Py_ssize_t *n_lines)
{
    Py_ssize_t capacity = 16, n = 0, start = 0;
    Py_ssize_t *spans = PyMem_Malloc(sizeof(Py_ssize_t) * 2 * (size_t)capacity);
    while (spans) {
        if (n == capacity) {
            Py_ssize_t *grown = PyMem_Realloc(spans, sizeof(Py_ssize_t) * 4 * (size_t)capacity);
            if (!grown) {
                PyMem_Free(spans);
                spans = NULL;
                break;
            }
            spans = grown;
            capacity *= 2;
        }
        Py_ssize_t end = next_newline(kind, data, len, start);
        spans[2 * n] = start;
        spans[2 * n + 1] = end;
        n++;
        if (end >= len || (most >= 0 && n >= most))
            break;
        start = end + 1;
    }
    if (!spans) {
        PyErr_NoMemory();
        return NULL;
    }
    *n_lines = n;
    return spans;
}

static int
append_to_copies(PyObject *copies, Py_ssize_t first, Py_ssize_t later)
{
    PyObject *key = PyLong_FromSsize_t(first);
    if (!key)
        return -1;
    PyObject *list = PyDict_GetItemWithError(copies, key); /* borrowed */
    int rc;
    if (list) {
        rc = append_number(list, later);
    } else if (PyErr_Occurred()) {
        rc = -1;
    } else {
        list = PyList_New(0);
        rc = (!list || append_number(list, later) < 0 || PyDict_SetItem(copies, key, list) < 0) ? -1 : 0;
        Py_XDECREF(list);
    }
    Py_DECREF(key);
    return rc;
}

/* A hash of n bytes, eight at a time (the lines of one text share its kind, so equal lines have
 * equal bytes). */
static inline uint64_t
bytes_hash(const char *p, size_t n)
{
    uint64_t h = FNV_OFFSET ^ n;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        h = (h ^ word) * FNV_PRIME;
        h ^= h >> 29;
    }
    uint64_t tail = 0;
    memcpy(&tail, p, n);
    return ((h ^ tail) * FNV_PRIME) ^ (h >> 31);
}

/* repeat_scan on a whole text: its lines as slices, the stripped lines in a table of their own
 * (FNV-1a hashes, compared character for character), so no str and no dict entry per line. */
static PyObject *
repeat_scan_text(PyObject *text, Py_ssize_t min_chars, Py_ssize_t min_words, Py_ssize_t near_chars, int near,
                 int near_wrapped)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(text), n = 0;
    int kind = PyUnicode_KIND(text);
    const char *data = (const char *)PyUnicode_DATA(text);
    Py_ssize_t *spans = line_spans(kind, data, len, -1, &n);
    if (!spans)
        return NULL;
    Py_ssize_t capacity = 16;
    while (capacity < 2 * n)
        capacity *= 2;
    /* slot -> line number + 1 of the first line with that key (0: empty); its key is that line stripped */
    Py_ssize_t *slots = PyMem_Calloc((size_t)capacity, sizeof(Py_ssize_t));
    uint64_t *hashes = PyMem_Malloc(sizeof(uint64_t) * (size_t)n);
    Py_ssize_t *key_start = PyMem_Malloc(sizeof(Py_ssize_t) * 2 * (size_t)n);
    PyObject *exact = PyDict_New(), *copies = PyDict_New(), *candidates = PyList_New(0);
    if (!slots || !hashes || !key_start || !exact || !copies || !candidates) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t a = spans[2 * i], b = spans[2 * i + 1], line_len = b - a;
        if (line_len < min_chars)
            continue;
        if (line_len == 1 && PyUnicode_READ(kind, data, a) == 0)
            continue; /* the DELETED marker */
        Py_ssize_t start = a, end = b;
        while (start < end && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, start)))
            start++;
        while (end > start && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, end - 1)))
            end--;
        uint64_t h = bytes_hash(data + start * kind, (size_t)(end - start) * (size_t)kind);
        Py_ssize_t slot = (Py_ssize_t)(h & (uint64_t)(capacity - 1)), first = -1;
        for (; slots[slot]; slot = (slot + 1) & (capacity - 1)) {
            Py_ssize_t j = slots[slot] - 1;
            Py_ssize_t j_start = key_start[2 * j], j_end = key_start[2 * j + 1];
            if (hashes[j] == h && j_end - j_start == end - start &&
                memcmp(data + j_start * kind, data + start * kind, (size_t)(end - start) * (size_t)kind) == 0) {
                first = j;
                break;
            }
        }
        if (first < 0) {
            slots[slot] = i + 1;
            hashes[i] = h;
            key_start[2 * i] = start;
            key_start[2 * i + 1] = end;
            /* A line that starts in lower case continues wrapped prose: no near candidate. */
            int lower_start = start < end && Py_UNICODE_ISLOWER(PyUnicode_READ(kind, data, start));
            if (near && line_len <= near_chars && (near_wrapped || !lower_start) && append_number(candidates, i) < 0)
                goto fail;
            continue;
        }
        Py_ssize_t words = words_in(kind, data, a, b, min_words); /* len(line.split(None, m)) >= m */
        if (words >= min_words) {
            PyObject *key = PyLong_FromSsize_t(i), *value = PyLong_FromSsize_t(first);
            int rc = (key && value) ? PyDict_SetItem(exact, key, value) : -1;
            Py_XDECREF(key);
            Py_XDECREF(value);
            if (rc < 0)
                goto fail;
        } else if (append_to_copies(copies, first, i) < 0) {
            goto fail;
        }
    }
    PyMem_Free(spans);
    PyMem_Free(slots);
    PyMem_Free(hashes);
    PyMem_Free(key_start);
    return Py_BuildValue("(NNN)", exact, copies, candidates);
fail:
    PyMem_Free(spans);
    PyMem_Free(slots);
    PyMem_Free(hashes);
    PyMem_Free(key_start);
    Py_XDECREF(exact);
    Py_XDECREF(copies);
    Py_XDECREF(candidates);
    return NULL;
}

static PyObject *
repeat_scan(PyObject *self, PyObject *args)
{
    PyObject *lines;
    Py_ssize_t min_chars, min_words, near_chars;
    int near, near_wrapped;
    if (!PyArg_ParseTuple(args, "Onnnpp", &lines, &min_chars, &min_words, &near_chars, &near, &near_wrapped))
        return NULL;
    if (PyUnicode_Check(lines)) {
        if (READY(lines) < 0)
            return NULL;
        return repeat_scan_text(lines, min_chars, min_words, near_chars, near, near_wrapped);
    }
    if (!PyList_Check(lines)) {
        PyErr_SetString(PyExc_TypeError, "repeat_scan: lines must be a list of str, or a str");
        return NULL;
    }

    PyObject *first_seen = PyDict_New();
    PyObject *exact = PyDict_New();
    PyObject *copies = PyDict_New();
    PyObject *candidates = PyList_New(0);
    if (!first_seen || !exact || !copies || !candidates)
        goto fail;

    Py_ssize_t n = PyList_GET_SIZE(lines);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *line = PyList_GET_ITEM(lines, i);
        if (!PyUnicode_Check(line)) {
            PyErr_SetString(PyExc_TypeError, "repeat_scan: lines must be str");
            goto fail;
        }
        if (READY(line) < 0)
            goto fail;
        Py_ssize_t len = PyUnicode_GET_LENGTH(line);
        int kind = PyUnicode_KIND(line);
        const void *data = PyUnicode_DATA(line);
        if (len < min_chars)
            continue;
        if (len == 1 && PyUnicode_READ(kind, data, 0) == 0)
            continue; /* the DELETED marker */
        Py_ssize_t start = 0, end = len;
        while (start < end && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, start)))
            start++;
        while (end > start && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, end - 1)))
            end--;
        PyObject *key;
        if (start == 0 && end == len) {
            key = line;
            Py_INCREF(key);
        } else {
            key = PyUnicode_Substring(line, start, end);
            if (!key)
                goto fail;
        }
        PyObject *first = PyDict_GetItemWithError(first_seen, key); /* borrowed */
        if (!first && PyErr_Occurred()) {
            Py_DECREF(key);
            goto fail;
        }
        PyObject *index = PyLong_FromSsize_t(i);
        if (!index) {
            Py_DECREF(key);
            goto fail;
        }
        if (!first) {
            int rc = PyDict_SetItem(first_seen, key, index);
            Py_DECREF(key);
            if (rc < 0) {
                Py_DECREF(index);
                goto fail;
            }
            /* A line that starts in lower case continues wrapped prose: no near candidate. */
            int lower_start = start < end && Py_UNICODE_ISLOWER(PyUnicode_READ(kind, data, start));
            if (near && len <= near_chars && (near_wrapped || !lower_start)) {
                if (PyList_Append(candidates, index) < 0) {
                    Py_DECREF(index);
                    goto fail;
                }
            }
            Py_DECREF(index);
            continue;
        }
        Py_DECREF(key);
        Py_ssize_t words = words_in(kind, data, 0, len, min_words); /* len(line.split(None, m)) >= m */
        int rc;
        if (words >= min_words) {
            rc = PyDict_SetItem(exact, index, first);
        } else {
            PyObject *later = PyDict_GetItemWithError(copies, first);
            if (!later && PyErr_Occurred()) {
                Py_DECREF(index);
                goto fail;
            }
            if (later) {
                rc = PyList_Append(later, index);
            } else {
                later = PyList_New(1);
                if (!later) {
                    Py_DECREF(index);
                    goto fail;
                }
                Py_INCREF(index);
                PyList_SET_ITEM(later, 0, index);
                rc = PyDict_SetItem(copies, first, later);
                Py_DECREF(later);
            }
        }
        Py_DECREF(index);
        if (rc < 0)
            goto fail;
    }
    Py_DECREF(first_seen);
    return Py_BuildValue("(NNN)", exact, copies, candidates);

fail:
    Py_XDECREF(first_seen);
    Py_XDECREF(exact);
    Py_XDECREF(copies);
    Py_XDECREF(candidates);
    return NULL;
}

/* ---- near_repeats ----------------------------------------------------------------- */

typedef struct {
    Py_ssize_t line;  /* line number in the document */
    Py_ssize_t start; /* offset of its word ids in `ids` */
    Py_ssize_t size;  /* number of distinct words */
} WordSet;

/* A line's text as near_repeats reads it. With `raw`, the line is folded here as repeats.py folds
 * it (ASCII punctuation separates words, letters lower-cased as str.lower() does; the caller keeps
 * text with U+0130 or a capital sigma, whose lower case depends on more than the character, for
 * Python); otherwise the caller folded it and only whitespace separates words. */
typedef struct {
    int kind;
    const void *data;
    Py_ssize_t len;
    int raw;
} Text;

static int
is_ascii_punct(Py_UCS4 c)
{
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

static uint8_t separator1[2][256]; /* is_separator of U+0000..U+00FF, [raw], filled at import */

static inline int
is_separator(const Text *t, Py_UCS4 c)
{
    if (c < 256)
        return separator1[t->raw][c];
    return Py_UNICODE_ISSPACE(c);
}

static inline Py_UCS4
fold_raw(const Text *t, Py_UCS4 c)
{
    if (t->raw)
        return c < 128 ? ((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c) : Py_UNICODE_TOLOWER(c);
    return c;
}

static inline Py_UCS4
folded_char(const Text *t, Py_ssize_t p)
{
    Py_UCS4 c = PyUnicode_READ(t->kind, t->data, p);
    if (t->raw) {
        if (c < 128) {
            if (c >= 'A' && c <= 'Z')
                c += 'a' - 'A';
        } else {
            /* str.lower()'s mapping, except U+0130 and final sigma, which the caller leaves to Python */
            c = Py_UNICODE_TOLOWER(c);
        }
    }
    return c;
}

/* The vocabulary: an open-addressing hash table of words seen, each kept as a slice of its text,
 * so no Python string is made per word. */
typedef struct {
    uint64_t hash;
    const Text *text;
    Py_ssize_t start, len;
} Word;

typedef struct {
    Py_ssize_t *slots; /* word id + 1, 0 when empty */
    Py_ssize_t mask;
    Word *words;
    Py_ssize_t count;
} Vocabulary;


/* The id of the word text[start:start + len] (folded), `h` its FNV-1a hash over folded characters. */
static Py_ssize_t
word_id(Vocabulary *v, const Text *t, Py_ssize_t start, Py_ssize_t len, uint64_t h)
{
    for (Py_ssize_t slot = (Py_ssize_t)(h & (uint64_t)v->mask);; slot = (slot + 1) & v->mask) {
        Py_ssize_t id = v->slots[slot] - 1;
        if (id < 0) {
            Word *w = &v->words[v->count];
            w->hash = h;
            w->text = t;
            w->start = start;
            w->len = len;
            v->slots[slot] = ++v->count;
            return v->count - 1;
        }
        Word *w = &v->words[id];
        if (w->hash != h || w->len != len)
            continue;
        Py_ssize_t p = 0;
        while (p < len && folded_char(w->text, w->start + p) == folded_char(t, start + p))
            p++;
        if (p == len)
            return id;
    }
}

static const Py_ssize_t *rank_freq; /* for qsort comparators: word id -> lines containing it */

static int
compare_rank(const void *a, const void *b)
{
    Py_ssize_t x = *(const Py_ssize_t *)a, y = *(const Py_ssize_t *)b;
    Py_ssize_t fx = rank_freq[x], fy = rank_freq[y];
    if (fx != fy)
        return (fx > fy) - (fx < fy);
    return (x > y) - (x < y);
}

/* Sorts ids ascending, or by (rank_freq, id) with by_rank: insertion sort, as a line has a few
 * dozen words at most (qsort's call per comparison cost more than the sort). */
static void
sort_ids(Py_ssize_t *ids, Py_ssize_t n, int by_rank)
{
    for (Py_ssize_t i = 1; i < n; i++) {
        Py_ssize_t x = ids[i], j = i;
        while (j > 0 && (by_rank ? compare_rank(&ids[j - 1], &x) > 0 : ids[j - 1] > x)) {
            ids[j] = ids[j - 1];
            j--;
        }
        ids[j] = x;
    }
}

static Py_ssize_t
intersection_size(const Py_ssize_t *a, Py_ssize_t na, const Py_ssize_t *b, Py_ssize_t nb)
{
    Py_ssize_t i = 0, j = 0, common = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j])
            i++;
        else if (a[i] > b[j])
            j++;
        else {
            common++;
            i++;
            j++;
        }
    }
    return common;
}

static Py_ssize_t
needed_words(double threshold, Py_ssize_t size)
{
    return (Py_ssize_t)ceil(threshold * (double)size - 1e-9);
}

static inline int lower_needs_context(Py_UCS4 c);

static PyObject *
near_repeats(PyObject *self, PyObject *args)
{
    PyObject *indices, *folded;
    Py_ssize_t min_words, max_words;
    double t;
    int raw;
    if (!PyArg_ParseTuple(args, "O!Onndp", &PyList_Type, &indices, &folded, &min_words, &max_words, &t, &raw))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(indices);
    int whole = PyUnicode_Check(folded); /* the document itself: line indices[k] is the k-th line */
    if (!whole && (!PyList_Check(folded) || PyList_GET_SIZE(folded) != n)) {
        PyErr_SetString(PyExc_ValueError, "near_repeats: lines must be a str or a list as long as indices");
        return NULL;
    }
    if (whole && READY(folded) < 0)
        return NULL;
    PyObject *result = PyDict_New();
    Py_ssize_t *spans = NULL, n_spans = 0;
    Py_ssize_t *ids = NULL, *freq = NULL, *head = NULL, *next = NULL, *owner = NULL, *seen = NULL, *prefix = NULL;
    WordSet *sets = NULL;
    Text *texts = NULL;
    Vocabulary vocabulary = {NULL, 0, NULL, 0};
    Py_ssize_t n_ids = 0, n_sets = 0, total_len = 0;
    if (!result)
        goto fail;
    sets = PyMem_Malloc(sizeof(WordSet) * (n ? n : 1));
    texts = PyMem_Malloc(sizeof(Text) * (n ? n : 1));
    if (!sets || !texts)
        goto fail_nomem;
    if (whole) { /* the spans of the lines up to the last one asked for */
        Py_ssize_t last = -1;
        for (Py_ssize_t k = 0; k < n; k++) {
            Py_ssize_t line = PyLong_AsSsize_t(PyList_GET_ITEM(indices, k));
            if (line == -1 && PyErr_Occurred())
                goto fail;
            last = line > last ? line : last;
        }
        spans = line_spans(PyUnicode_KIND(folded), PyUnicode_DATA(folded), PyUnicode_GET_LENGTH(folded), last + 1,
                           &n_spans);
        if (!spans)
            goto fail;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        if (whole) {
            Py_ssize_t line = PyLong_AsSsize_t(PyList_GET_ITEM(indices, k));
            if (line == -1 && PyErr_Occurred())
                goto fail;
            if (line < 0 || line >= n_spans) {
                PyErr_SetString(PyExc_IndexError, "near_repeats: a line index past the text's lines");
                goto fail;
            }
            int kind = PyUnicode_KIND(folded);
            texts[k].kind = kind;
            texts[k].data = (const char *)PyUnicode_DATA(folded) + spans[2 * line] * kind;
            texts[k].len = spans[2 * line + 1] - spans[2 * line];
        } else {
            PyObject *text = PyList_GET_ITEM(folded, k);
            if (!PyUnicode_Check(text) || READY(text) < 0) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_TypeError, "near_repeats: lines must be str");
                goto fail;
            }
            texts[k].kind = PyUnicode_KIND(text);
            texts[k].data = PyUnicode_DATA(text);
            texts[k].len = PyUnicode_GET_LENGTH(text);
        }
        texts[k].raw = raw;
        total_len += texts[k].len;
    }
    {
        /* At most one word per character, and at most max_words + 1 looked up per line. */
        Py_ssize_t most = total_len + 1;
        if (max_words >= 0 && n * (max_words + 1) < most)
            most = n * (max_words + 1) + 1;
        Py_ssize_t capacity = 16;
        while (capacity < 2 * most) /* kept under half full */
            capacity *= 2;
        vocabulary.slots = PyMem_Calloc(capacity, sizeof(Py_ssize_t));
        vocabulary.words = PyMem_Malloc(sizeof(Word) * most);
        vocabulary.mask = capacity - 1;
        ids = PyMem_Malloc(sizeof(Py_ssize_t) * most);
        if (!vocabulary.slots || !vocabulary.words || !ids)
            goto fail_nomem;
    }

    /* Words of each line: its distinct tokens, as sorted ids. */
    for (Py_ssize_t k = 0; k < n; k++) {
        const Text *tx = &texts[k];
        Py_ssize_t line = PyLong_AsSsize_t(PyList_GET_ITEM(indices, k));
        if (line == -1 && PyErr_Occurred())
            goto fail;
        Py_ssize_t len = tx->len, start = n_ids, tokens = 0;
        /* One pass: each word hashed as it is read; a line with more than max_words words is
         * abandoned at its (max_words + 1)-th (its words already looked up stay in the vocabulary,
         * counted in no line). `ids` has room for one word per character of all lines. */
        for (Py_ssize_t p = 0; p < len && tokens <= max_words;) {
            while (p < len && is_separator(tx, PyUnicode_READ(tx->kind, tx->data, p)))
                p++;
            if (p >= len)
                break;
            uint64_t h = FNV_OFFSET;
            Py_ssize_t q = p;
            for (; q < len; q++) {
                Py_UCS4 c = PyUnicode_READ(tx->kind, tx->data, q);
                if (is_separator(tx, c))
                    break;
                if (tx->raw && lower_needs_context(c))
                    goto python_lower; /* str.lower() decides these: the caller folds in Python */
                h = (h ^ (uint64_t)fold_raw(tx, c)) * FNV_PRIME;
            }
            tokens++;
            if (tokens <= max_words)
                ids[n_ids++] = word_id(&vocabulary, tx, p, q - p, h);
            p = q;
        }
        if (tokens < min_words || tokens > max_words) {
            n_ids = start;
            continue;
        }
        sort_ids(ids + start, n_ids - start, 0);
        Py_ssize_t size = 0;
        for (Py_ssize_t j = start; j < n_ids; j++)
            if (size == 0 || ids[start + size - 1] != ids[j])
                ids[start + size++] = ids[j];
        n_ids = start + size;
        if (size < min_words) { /* "Soybean nil nil nil": too few distinct words */
            n_ids = start;
            continue;
        }
        sets[n_sets].line = line;
        sets[n_sets].start = start;
        sets[n_sets].size = size;
        n_sets++;
    }
    if (n_sets < 2)
        goto done;

    Py_ssize_t vocab = vocabulary.count;
    freq = PyMem_Calloc(vocab ? vocab : 1, sizeof(Py_ssize_t));
    if (!freq)
        goto fail_nomem;
    for (Py_ssize_t j = 0; j < n_ids; j++)
        freq[ids[j]]++;
    /* Jaccard >= t needs at least ceil(t*|x|) of x's words in the partner too, so in >= 2 lines. */
    Py_ssize_t kept = 0;
    for (Py_ssize_t k = 0; k < n_sets; k++) {
        Py_ssize_t shared = 0;
        for (Py_ssize_t j = 0; j < sets[k].size; j++)
            shared += freq[ids[sets[k].start + j]] > 1;
        if (shared >= needed_words(t, sets[k].size))
            sets[kept++] = sets[k];
    }
    n_sets = kept;
    if (n_sets < 2)
        goto done;

    /* Prefix filtering, rarest words first: an inverted index of kept lines' prefix words. */
    Py_ssize_t max_size = 0;
    for (Py_ssize_t k = 0; k < n_sets; k++)
        if (sets[k].size > max_size)
            max_size = sets[k].size;
    head = PyMem_Malloc(sizeof(Py_ssize_t) * (vocab ? vocab : 1));
    next = PyMem_Malloc(sizeof(Py_ssize_t) * (n_ids ? n_ids : 1));
    owner = PyMem_Malloc(sizeof(Py_ssize_t) * (n_ids ? n_ids : 1));
    seen = PyMem_Malloc(sizeof(Py_ssize_t) * n_sets);
    prefix = PyMem_Malloc(sizeof(Py_ssize_t) * (max_size ? max_size : 1));
    if (!head || !next || !owner || !seen || !prefix)
        goto fail_nomem;
    for (Py_ssize_t v = 0; v < vocab; v++)
        head[v] = -1;
    for (Py_ssize_t k = 0; k < n_sets; k++)
        seen[k] = -1;
    Py_ssize_t entries = 0;
    rank_freq = freq;
    for (Py_ssize_t k = 0; k < n_sets; k++) {
        const Py_ssize_t *words = ids + sets[k].start;
        Py_ssize_t size = sets[k].size;
        if (size > 0)
            memcpy(prefix, words, sizeof(Py_ssize_t) * size);
        sort_ids(prefix, size, 1);
        Py_ssize_t prefix_len = size - needed_words(t, size) + 1;
        if (prefix_len > size)
            prefix_len = size;
        Py_ssize_t best = -1;
        double best_similarity = 0.0;
        for (Py_ssize_t j = 0; j < prefix_len; j++) {
            for (Py_ssize_t e = head[prefix[j]]; e >= 0; e = next[e]) {
                Py_ssize_t other = owner[e];
                if (seen[other] == k)
                    continue;
                seen[other] = k;
                Py_ssize_t other_size = sets[other].size;
                if (!(t * (double)size <= (double)other_size && (double)other_size <= (double)size / t))
                    continue; /* sizes alone rule out Jaccard >= t */
                Py_ssize_t common = intersection_size(words, size, ids + sets[other].start, other_size);
                double similarity = (double)common / (double)(size + other_size - common);
                if (similarity >= t && (best < 0 || sets[other].line < sets[best].line)) {
                    best = other;
                    best_similarity = similarity;
                }
            }
        }
        if (best >= 0) {
            PyObject *value = Py_BuildValue("(nd)", sets[best].line, best_similarity);
            PyObject *key = PyLong_FromSsize_t(sets[k].line);
            int rc = (value && key) ? PyDict_SetItem(result, key, value) : -1;
            Py_XDECREF(value);
            Py_XDECREF(key);
            if (rc < 0)
                goto fail;
            continue;
        }
        for (Py_ssize_t j = 0; j < prefix_len; j++) {
            owner[entries] = k;
            next[entries] = head[prefix[j]];
            head[prefix[j]] = entries++;
        }
    }

done:
    PyMem_Free(spans);
    PyMem_Free(texts);
    PyMem_Free(vocabulary.slots);
    PyMem_Free(vocabulary.words);
    PyMem_Free(sets);
    PyMem_Free(ids);
    PyMem_Free(freq);
    PyMem_Free(head);
    PyMem_Free(next);
    PyMem_Free(owner);
    PyMem_Free(seen);
    PyMem_Free(prefix);
    return result;

python_lower:
    Py_CLEAR(result);
    Py_INCREF(Py_None);
    result = Py_None;
    goto done;

fail_nomem:
    PyErr_NoMemory();
fail:
    Py_XDECREF(result);
    PyMem_Free(spans);
    PyMem_Free(texts);
    PyMem_Free(vocabulary.slots);
    PyMem_Free(vocabulary.words);
    PyMem_Free(sets);
    PyMem_Free(ids);
    PyMem_Free(freq);
    PyMem_Free(head);
    PyMem_Free(next);
    PyMem_Free(owner);
    PyMem_Free(seen);
    PyMem_Free(prefix);
    return NULL;
}

/* One character as str.lower() maps it, for text without U+0130 or a capital sigma (checked by
 * the scanners, which give up on such text and let the caller lower it in Python). */
static inline Py_UCS4
lower_char(Py_UCS4 c)
{
    if (c < 128)
        return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
    return Py_UNICODE_TOLOWER(c);
}

static uint8_t space1[256]; /* Py_UNICODE_ISSPACE of U+0000..U+00FF, filled at import */

static inline int
ascii_word(Py_UCS4 c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static inline int
lower_needs_context(Py_UCS4 c)
{
    return c == 0x130 || c == 0x3A3;
}

/* ---- Automaton: many literals found in one pass (Aho-Corasick) ------------------------ */

/* Why here and not pyahocorasick: the boilerplate and typo steps scan every character of
 * every document for their literals; pyahocorasick takes ~16 ns a character on str input,
 * this dense DFA over the literals' own characters ~2. Characters that occur in no literal
 * share one class, so the table stays small (states x distinct characters + 1). */

typedef struct {
    PyObject_HEAD
    Py_ssize_t classes;     /* distinct literal characters + 1 (class 0: any other character) */
    uint16_t latin1[256];   /* character class of U+0000..U+00FF */
    uint16_t folded1[256];  /* character class of U+0000..U+00FF lower-cased */
    Py_UCS4 *wide;          /* sorted literal characters above U+00FF ... */
    uint16_t *wide_class;   /* ... and their classes */
    Py_ssize_t n_wide;
    int32_t *delta;         /* states x classes: the next state (while building) */
    uint32_t *rows;         /* states x classes: the next state's row (state x classes), its top bit set
                             * where that state has an output: the scan adds a class to a row, with no
                             * multiplication on the chain from one character to the next */
    int32_t *out;           /* state -> literal ending here, or -1 */
    int32_t *out_link;      /* state -> nearest shorter suffix state with an output, or -1 */
    Py_ssize_t *lengths;    /* literal -> its length */
    Py_ssize_t *newlines;   /* literal -> the line breaks in it (a hit's line is that of its start) */
    Py_ssize_t *filter_words; /* set_filters: literal -> most words on its line (negative: any), or NULL */
    long *filter_bounds;      /* set_filters: literal -> bounds bits, or NULL */
    Py_ssize_t n_literals;
} Automaton;

static inline Py_ssize_t
char_class(const Automaton *a, Py_UCS4 c)
{
    if (c < 256)
        return a->latin1[c];
    Py_ssize_t lo = 0, hi = a->n_wide;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (a->wide[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < a->n_wide && a->wide[lo] == c) ? a->wide_class[lo] : 0;
}

static int
compare_ucs4(const void *x, const void *y)
{
    Py_UCS4 a = *(const Py_UCS4 *)x, b = *(const Py_UCS4 *)y;
    return (a > b) - (a < b);
}

static void
automaton_dealloc_tables(Automaton *self)
{
    PyMem_Free(self->wide);
    PyMem_Free(self->wide_class);
    PyMem_Free(self->delta);
    PyMem_Free(self->rows);
    self->rows = NULL;
    PyMem_Free(self->out);
    PyMem_Free(self->out_link);
    PyMem_Free(self->lengths);
    PyMem_Free(self->newlines);
    PyMem_Free(self->filter_words);
    PyMem_Free(self->filter_bounds);
    self->newlines = NULL;
    self->filter_words = NULL;
    self->filter_bounds = NULL;
    self->wide = NULL;
    self->wide_class = NULL;
    self->delta = self->out = self->out_link = NULL;
    self->lengths = NULL;
    self->classes = self->n_wide = self->n_literals = 0;
}

static void
automaton_dealloc(Automaton *self)
{
    automaton_dealloc_tables(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
automaton_init(Automaton *self, PyObject *args, PyObject *kwds)
{
    PyObject *literals;
    static char *keywords[] = {"literals", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!", keywords, &PyList_Type, &literals))
        return -1;
    automaton_dealloc_tables(self); /* __init__ called again */
    Py_ssize_t n = PyList_GET_SIZE(literals), total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *lit = PyList_GET_ITEM(literals, i);
        if (!PyUnicode_Check(lit) || READY(lit) < 0) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "Automaton: literals must be str");
            return -1;
        }
        if (PyUnicode_GET_LENGTH(lit) == 0) {
            PyErr_SetString(PyExc_ValueError, "Automaton: a literal is empty");
            return -1;
        }
        total += PyUnicode_GET_LENGTH(lit);
    }
    /* Character classes. */
    Py_UCS4 *chars = PyMem_Malloc(sizeof(Py_UCS4) * (total ? total : 1));
    if (!chars) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t n_chars = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *lit = PyList_GET_ITEM(literals, i);
        for (Py_ssize_t p = 0; p < PyUnicode_GET_LENGTH(lit); p++)
            chars[n_chars++] = PyUnicode_READ_CHAR(lit, p);
    }
    if (n_chars > 1)
        qsort(chars, n_chars, sizeof(Py_UCS4), compare_ucs4);
    Py_ssize_t distinct = 0;
    for (Py_ssize_t i = 0; i < n_chars; i++)
        if (distinct == 0 || chars[distinct - 1] != chars[i])
            chars[distinct++] = chars[i];
    if (distinct + 1 > 65535) {
        PyMem_Free(chars);
        PyErr_SetString(PyExc_ValueError, "Automaton: too many distinct characters");
        return -1;
    }
    memset(self->latin1, 0, sizeof(self->latin1));
    self->n_wide = 0;
    self->wide = PyMem_Malloc(sizeof(Py_UCS4) * (distinct ? distinct : 1));
    self->wide_class = PyMem_Malloc(sizeof(uint16_t) * (distinct ? distinct : 1));
    if (!self->wide || !self->wide_class) {
        PyMem_Free(chars);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < distinct; i++) {
        if (chars[i] < 256) {
            self->latin1[chars[i]] = (uint16_t)(i + 1);
        } else {
            self->wide[self->n_wide] = chars[i];
            self->wide_class[self->n_wide++] = (uint16_t)(i + 1);
        }
    }
    PyMem_Free(chars);
    for (Py_UCS4 c = 0; c < 256; c++)
        self->folded1[c] = (uint16_t)char_class(self, lower_char(c));
    Py_ssize_t K = self->classes = distinct + 1;
    /* The trie. */
    Py_ssize_t max_states = total + 1;
    self->delta = PyMem_Malloc(sizeof(int32_t) * max_states * K);
    self->out = PyMem_Malloc(sizeof(int32_t) * max_states);
    self->out_link = PyMem_Malloc(sizeof(int32_t) * max_states);
    self->lengths = PyMem_Malloc(sizeof(Py_ssize_t) * (n ? n : 1));
    self->newlines = PyMem_Calloc(n ? n : 1, sizeof(Py_ssize_t));
    int32_t *fail = PyMem_Malloc(sizeof(int32_t) * max_states);
    int32_t *queue = PyMem_Malloc(sizeof(int32_t) * max_states);
    if (!self->delta || !self->out || !self->out_link || !self->lengths || !self->newlines || !fail || !queue) {
        PyMem_Free(fail);
        PyMem_Free(queue);
        PyErr_NoMemory();
        return -1;
    }
    self->n_literals = n;
    for (Py_ssize_t i = 0; i < max_states * K; i++)
        self->delta[i] = -1;
    for (Py_ssize_t i = 0; i < max_states; i++)
        self->out[i] = self->out_link[i] = -1;
    int32_t states = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *lit = PyList_GET_ITEM(literals, i);
        Py_ssize_t len = PyUnicode_GET_LENGTH(lit);
        self->lengths[i] = len;
        int32_t state = 0;
        for (Py_ssize_t p = 0; p < len; p++) {
            Py_UCS4 ch = PyUnicode_READ_CHAR(lit, p);
            self->newlines[i] += ch == '\n';
            Py_ssize_t c = char_class(self, ch);
            if (self->delta[state * K + c] < 0)
                self->delta[state * K + c] = states++;
            state = self->delta[state * K + c];
        }
        if (self->out[state] < 0) /* a repeated literal keeps its first index */
            self->out[state] = (int32_t)i;
    }
    /* Failure links, breadth first, turned into a full transition table. */
    Py_ssize_t head = 0, tail = 0;
    fail[0] = 0;
    for (Py_ssize_t c = 0; c < K; c++) {
        int32_t next = self->delta[c];
        if (next < 0) {
            self->delta[c] = 0;
        } else {
            fail[next] = 0;
            queue[tail++] = next;
        }
    }
    while (head < tail) {
        int32_t state = queue[head++];
        int32_t f = fail[state];
        self->out_link[state] = self->out[f] >= 0 ? f : self->out_link[f];
        for (Py_ssize_t c = 0; c < K; c++) {
            int32_t next = self->delta[state * K + c];
            if (next < 0) {
                self->delta[state * K + c] = self->delta[f * K + c];
            } else {
                fail[next] = self->delta[f * K + c];
                queue[tail++] = next;
            }
        }
    }
    PyMem_Free(fail);
    PyMem_Free(queue);
    if ((uint64_t)states * (uint64_t)K >= 0x80000000ULL) {
        PyErr_SetString(PyExc_ValueError, "Automaton: too many states");
        return -1;
    }
    self->rows = PyMem_Malloc(sizeof(uint32_t) * (size_t)(states * K));
    if (!self->rows) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < states * K; i++) {
        int32_t next = self->delta[i];
        int has_output = self->out[next] >= 0 || self->out_link[next] >= 0;
        self->rows[i] = (uint32_t)(next * K) | (has_output ? 0x80000000u : 0);
    }
    PyMem_Free(self->delta);
    self->delta = NULL;
    return 0;
}

/* Scan `text`; with `lines`, report (line number, literal) instead of (end offset, literal). */
static PyObject *
automaton_scan(Automaton *self, PyObject *text, int lines, int fold)
{
    if (!PyUnicode_Check(text) || READY(text) < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "Automaton: text must be str");
        return NULL;
    }
    if (!self->rows) {
        PyErr_SetString(PyExc_ValueError, "Automaton: not initialised");
        return NULL;
    }
    PyObject *found = PyList_New(0);
    if (!found)
        return NULL;
    Py_ssize_t len = PyUnicode_GET_LENGTH(text), K = self->classes, line = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const uint32_t *rows = self->rows;
    const int32_t *out = self->out, *out_link = self->out_link;
    uint32_t row = 0;
    for (Py_ssize_t p = 0; p < len; p++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, p);
        if (c == '\n')
            line++;
        Py_ssize_t cls;
        if (c < 256) {
            cls = fold ? self->folded1[c] : self->latin1[c];
        } else {
            if (fold) {
                if (lower_needs_context(c)) {
                    Py_DECREF(found);
                    Py_RETURN_NONE;
                }
                c = lower_char(c);
            }
            cls = char_class(self, c);
        }
        uint32_t entry = rows[row + (uint32_t)cls];
        row = entry & 0x7FFFFFFFu;
        if (!(entry & 0x80000000u))
            continue;
        int32_t state = (int32_t)(row / (uint32_t)K);
        for (int32_t s = out[state] >= 0 ? state : out_link[state]; s >= 0; s = out_link[s]) {
            if (append_pair(found, lines ? line - self->newlines[out[s]] : p + 1, out[s]) < 0) {
                Py_DECREF(found);
                return NULL;
            }
        }
    }
    return found;
}

static PyObject *
automaton_hits(Automaton *self, PyObject *args)
{
    PyObject *text;
    int fold = 0;
    if (!PyArg_ParseTuple(args, "O|p", &text, &fold))
        return NULL;
    return automaton_scan(self, text, 0, fold);
}

static PyObject *
automaton_line_hits(Automaton *self, PyObject *args)
{
    PyObject *text;
    int fold = 0;
    if (!PyArg_ParseTuple(args, "O|p", &text, &fold))
        return NULL;
    return automaton_scan(self, text, 1, fold);
}

static PyObject *automaton_filtered_hits(Automaton *self, PyObject *text, int fold, const Py_ssize_t *max_words,
                                         const long *bounds);

/* short_line_hits(text, max_words): (line, literal) for hits on lines of at most max_words[literal]
 * words (negative: no limit), once per line and literal, in text order. Words are counted as
 * len(line.split()) counts them. Why: most line rules only act on short lines, and a literal such as
 * ":" or "share" occurs in thousands of long lines; those are dropped here, not in a Python loop. */
static PyObject *
automaton_short_line_hits(Automaton *self, PyObject *args)
{
    PyObject *text, *limits, *bounds_list = Py_None;
    int fold = 0;
    if (!PyArg_ParseTuple(args, "UO|pO", &text, &limits, &fold, &bounds_list))
        return NULL;
    if (limits == Py_None) /* the filters given to set_filters (or none): nothing to convert per call */
        return automaton_filtered_hits(self, text, fold, self->filter_words, self->filter_bounds);
    if (!PyList_Check(limits)) {
        PyErr_SetString(PyExc_TypeError, "Automaton: max_words must be a list or None");
        return NULL;
    }
    if (bounds_list != Py_None && (!PyList_Check(bounds_list) || PyList_GET_SIZE(bounds_list) != self->n_literals)) {
        PyErr_SetString(PyExc_ValueError, "Automaton: bounds must be a list with one int per literal");
        return NULL;
    }
    if (!self->rows) {
        PyErr_SetString(PyExc_ValueError, "Automaton: not initialised");
        return NULL;
    }
    if (READY(text) < 0)
        return NULL;
    if (PyList_GET_SIZE(limits) != self->n_literals) {
        PyErr_SetString(PyExc_ValueError, "Automaton: one word limit per literal");
        return NULL;
    }
    Py_ssize_t n = self->n_literals;
    Py_ssize_t *max_words = PyMem_Malloc(sizeof(Py_ssize_t) * (n ? n : 1));
    long *bounds = PyMem_Calloc(n ? n : 1, sizeof(long));
    PyObject *found = NULL;
    if (!max_words || !bounds) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        max_words[i] = PyLong_AsSsize_t(PyList_GET_ITEM(limits, i));
        if (max_words[i] == -1 && PyErr_Occurred())
            goto done;
        if (bounds_list != Py_None) {
            bounds[i] = PyLong_AsLong(PyList_GET_ITEM(bounds_list, i));
            if (bounds[i] == -1 && PyErr_Occurred())
                goto done;
        }
    }
    found = automaton_filtered_hits(self, text, fold, max_words, bounds);
done:
    PyMem_Free(max_words);
    PyMem_Free(bounds);
    return found;
}

/* The scan of short_line_hits, with the filters as C arrays (NULL: no limit / no bounds). */
/* Whether regex's \d may match c: a Unicode decimal digit is never an ASCII character but 0-9. */
static inline int
maybe_digit(Py_UCS4 c)
{
    return (c >= '0' && c <= '9') || c >= 128;
}

/* Whether text[a:b] holds an ASCII letter, digit or "_". */
static int
has_ascii_word(int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    for (Py_ssize_t q = a; q < b; q++)
        if (ascii_word(PyUnicode_READ(kind, data, q)))
            return 1;
    return 0;
}

static PyObject *
automaton_filtered_hits(Automaton *self, PyObject *text, int fold, const Py_ssize_t *max_words, const long *bounds)
{
    if (!self->rows) {
        PyErr_SetString(PyExc_ValueError, "Automaton: not initialised");
        return NULL;
    }
    if (READY(text) < 0)
        return NULL;
    Py_ssize_t n = self->n_literals;
    Py_ssize_t *stamp = PyMem_Malloc(sizeof(Py_ssize_t) * (n ? n : 1));
    Py_ssize_t *pending = PyMem_Malloc(sizeof(Py_ssize_t) * (n ? n : 1));
    Py_ssize_t *end_at = PyMem_Malloc(sizeof(Py_ssize_t) * (n ? n : 1)); /* a pending literal's last end */
    PyObject *found = PyList_New(0);
    if (!stamp || !pending || !end_at || !found) {
        PyMem_Free(stamp);
        PyMem_Free(pending);
        PyMem_Free(end_at);
        Py_XDECREF(found);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++)
        stamp[i] = -1;
    Py_ssize_t len = PyUnicode_GET_LENGTH(text), K = self->classes, line = 0, n_pending = 0, line_start = 0;
    Py_ssize_t twice = 0; /* occurrences on this line of literals from a part repeated at least twice */
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const uint32_t *rows = self->rows;
    const int32_t *out = self->out, *out_link = self->out_link;
    uint32_t row = 0;
    /* Only the literals are followed character by character; a line's words and where its ASCII
     * word characters are is worked out when one of its literals is found (most lines have none). */
    for (Py_ssize_t p = 0; p <= len; p++) {
        Py_UCS4 c = p < len ? PyUnicode_READ(kind, data, p) : '\n';
        if (c == '\n' && n_pending) { /* the line ends: its hits go out if it is short enough for their literal */
            Py_ssize_t words = -1, last_word = -2;
            for (Py_ssize_t j = 0; j < n_pending; j++) {
                Py_ssize_t lit = pending[j];
                if (max_words && max_words[lit] >= 0) {
                    if (words < 0)
                        words = words_in(kind, data, line_start, p, -1);
                    if (words > max_words[lit])
                        continue;
                }
                if (bounds && (bounds[lit] & 64) && twice < 2)
                    continue; /* the literal comes from a part the pattern repeats: one occurrence is not enough */
                if (bounds && (bounds[lit] & 8)) { /* no word character between the literal and the line's end */
                    if (last_word == -2) {
                        last_word = p - 1;
                        while (last_word >= line_start && !ascii_word(PyUnicode_READ(kind, data, last_word)))
                            last_word--;
                    }
                    if (last_word > end_at[lit])
                        continue;
                }
                if (append_pair(found, line, lit) < 0)
                    goto fail;
            }
            n_pending = 0;
        }
        if (c == '\n') {
            if (p == len)
                break;
            line++;
            line_start = p + 1;
            twice = 0;
        }
        Py_ssize_t cls;
        if (c < 256) {
            cls = fold ? self->folded1[c] : self->latin1[c];
        } else {
            if (fold) {
                if (lower_needs_context(c)) {
                    PyMem_Free(stamp);
                    PyMem_Free(pending);
                    PyMem_Free(end_at);
                    Py_DECREF(found);
                    Py_RETURN_NONE;
                }
                c = lower_char(c);
            }
            cls = char_class(self, c);
        }
        uint32_t entry = rows[row + (uint32_t)cls];
        row = entry & 0x7FFFFFFFu;
        if (!(entry & 0x80000000u))
            continue;
        int32_t state = (int32_t)(row / (uint32_t)K);
        for (int32_t s = out[state] >= 0 ? state : out_link[state]; s >= 0; s = out_link[s]) {
            Py_ssize_t lit = out[s];
            if (bounds && bounds[lit]) { /* the rule needs no ASCII word character before / after the literal here */
                Py_ssize_t first = p + 1 - self->lengths[lit];
                if ((bounds[lit] & 1) && first > 0 && ascii_word(PyUnicode_READ(kind, data, first - 1)))
                    continue;
                if ((bounds[lit] & 2) && p + 1 < len && ascii_word(PyUnicode_READ(kind, data, p + 1)))
                    continue;
                if ((bounds[lit] & 4) && !self->newlines[lit] && has_ascii_word(kind, data, line_start, first))
                    continue; /* a word character between the line's start and the literal */
                if ((bounds[lit] & 16) && (first == 0 || !maybe_digit(PyUnicode_READ(kind, data, first - 1))))
                    continue; /* the pattern has a digit (\d) right before the literal */
                if ((bounds[lit] & 32) && (p + 1 >= len || !maybe_digit(PyUnicode_READ(kind, data, p + 1))))
                    continue; /* ... right after it */
            }
            if (self->newlines[lit]) { /* spans lines: reported at once, at its first line, unfiltered */
                if (append_pair(found, line - self->newlines[lit], lit) < 0)
                    goto fail;
            } else {
                if (bounds && (bounds[lit] & 64))
                    twice++;
                if (stamp[lit] != line) {
                    stamp[lit] = line;
                    pending[n_pending++] = lit;
                }
                end_at[lit] = p; /* the line's last occurrence: the one most likely to end it */
            }
        }
    }
    PyMem_Free(stamp);
    PyMem_Free(pending);
    PyMem_Free(end_at);
    return found;
fail:
    PyMem_Free(stamp);
    PyMem_Free(pending);
    PyMem_Free(end_at);
    Py_DECREF(found);
    return NULL;
}

/* set_filters(max_words, bounds=None): the word limits and bounds short_line_hits(text, None) uses,
 * converted once (a page has ~200 lines; converting 100 limits per call cost more than the scan). */
static PyObject *
automaton_set_filters(Automaton *self, PyObject *args)
{
    PyObject *limits, *bounds_list = Py_None;
    if (!PyArg_ParseTuple(args, "O!|O", &PyList_Type, &limits, &bounds_list))
        return NULL;
    Py_ssize_t n = self->n_literals;
    if (PyList_GET_SIZE(limits) != n ||
        (bounds_list != Py_None && (!PyList_Check(bounds_list) || PyList_GET_SIZE(bounds_list) != n))) {
        PyErr_SetString(PyExc_ValueError, "Automaton: one word limit (and one bounds value) per literal");
        return NULL;
    }
    Py_ssize_t *words = PyMem_Malloc(sizeof(Py_ssize_t) * (n ? n : 1));
    long *bounds = PyMem_Calloc(n ? n : 1, sizeof(long));
    if (!words || !bounds) {
        PyMem_Free(words);
        PyMem_Free(bounds);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        words[i] = PyLong_AsSsize_t(PyList_GET_ITEM(limits, i));
        if (bounds_list != Py_None)
            bounds[i] = PyLong_AsLong(PyList_GET_ITEM(bounds_list, i));
        if (PyErr_Occurred()) {
            PyMem_Free(words);
            PyMem_Free(bounds);
            return NULL;
        }
    }
    PyMem_Free(self->filter_words);
    PyMem_Free(self->filter_bounds);
    self->filter_words = words;
    self->filter_bounds = bounds;
    Py_RETURN_NONE;
}

static PyMethodDef automaton_methods[] = {
    {"hits", (PyCFunction)automaton_hits, METH_VARARGS,
     "hits(text, fold=False) -> [(end offset, literal index)], in text order; fold: match text.lower() "
     "(None where that needs Python: U+0130 or a capital sigma)"},
    {"line_hits", (PyCFunction)automaton_line_hits, METH_VARARGS,
     "line_hits(text, fold=False) -> [(line number from 0, literal index)], in text order"},
    {"set_filters", (PyCFunction)automaton_set_filters, METH_VARARGS,
     "set_filters(max_words, bounds=None): the filters short_line_hits(text, None) applies"},
    {"short_line_hits", (PyCFunction)automaton_short_line_hits, METH_VARARGS,
     "short_line_hits(text, max_words, fold=False, bounds=None) -> [(line, literal index)] on lines of at "
     "most max_words[literal] words; bounds[literal]: 1 no ASCII word character just before, 2 just after"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject AutomatonType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "cleaner._accel.Automaton",
    .tp_basicsize = sizeof(Automaton),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Automaton(literals): finds every occurrence of every literal in one pass",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)automaton_init,
    .tp_dealloc = (destructor)automaton_dealloc,
    .tp_methods = automaton_methods,
};

/* ---- CharGate: the lines the unicode step may change, in one pass ---------------------- */

/* Why: the unicode step's gate (the characters and pairs ftfy can act on, odd spaces,
 * zero-width characters, HTML entities, trailing spaces) ran as several regex scans over
 * every document. One pass over the characters with a flag table finds the same lines. */

enum { G_SINGLE = 1, G_LEAD = 2, G_CONT = 4, G_SPACED = 8, G_NFC = 16, G_LOOK = 32 }; /* G_LOOK: '&', '\n' */

typedef struct {
    PyObject_HEAD
    uint8_t *bmp;       /* flags of U+0000..U+FFFF */
    Py_UCS4 *astral;    /* sorted single characters above U+FFFF */
    Py_ssize_t n_astral;
    int entity;         /* an HTML entity as ftfy decodes it: &#?[0-9A-Za-z]{1,24}; */
    int trailing;       /* a space or tab before a line break or the end */
    Py_UCS4 nfc_safe_lo, nfc_safe_hi; /* above U+FFFF only these need no NFC check (G_NFC in the BMP) */
} CharGate;

static void
gate_free_tables(CharGate *self)
{
    PyMem_Free(self->bmp);
    PyMem_Free(self->astral);
    self->bmp = NULL;
    self->astral = NULL;
    self->n_astral = 0;
}

static void
gate_dealloc(CharGate *self)
{
    gate_free_tables(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
gate_mark(CharGate *self, PyObject *chars, uint8_t flag, Py_ssize_t *astral_cap)
{
    if (!PyUnicode_Check(chars) || READY(chars) < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "CharGate: character sets must be str");
        return -1;
    }
    for (Py_ssize_t p = 0; p < PyUnicode_GET_LENGTH(chars); p++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(chars, p);
        if (c < 0x10000) {
            self->bmp[c] |= flag;
        } else if (flag == G_SINGLE) {
            if (self->n_astral == *astral_cap) {
                Py_ssize_t cap = *astral_cap * 2 + 8;
                Py_UCS4 *grown = PyMem_Realloc(self->astral, sizeof(Py_UCS4) * cap);
                if (!grown) {
                    PyErr_NoMemory();
                    return -1;
                }
                self->astral = grown;
                *astral_cap = cap;
            }
            self->astral[self->n_astral++] = c;
        } else {
            PyErr_SetString(PyExc_ValueError, "CharGate: pair and NFC characters must be in the BMP");
            return -1;
        }
    }
    return 0;
}

static int
gate_init(CharGate *self, PyObject *args, PyObject *kwds)
{
    PyObject *singles, *leads, *conts, *spaced, *nfc = NULL;
    int entity, trailing;
    unsigned int safe_lo = 1, safe_hi = 0;
    static char *keywords[] = {"singles", "leads", "conts", "spaced", "entity", "trailing", "nfc", "nfc_safe", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOpp|U(II)", keywords, &singles, &leads, &conts, &spaced, &entity,
                                     &trailing, &nfc, &safe_lo, &safe_hi))
        return -1;
    gate_free_tables(self);
    self->bmp = PyMem_Calloc(0x10000, 1);
    if (!self->bmp) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t cap = 0;
    if (gate_mark(self, singles, G_SINGLE, &cap) < 0 || gate_mark(self, leads, G_LEAD, &cap) < 0 ||
        gate_mark(self, conts, G_CONT, &cap) < 0 || gate_mark(self, spaced, G_SPACED, &cap) < 0 ||
        (nfc && gate_mark(self, nfc, G_NFC, &cap) < 0))
        return -1;
    /* Without an `nfc` set every text needs the NFC check; with one, astral characters outside
     * [nfc_safe_lo, nfc_safe_hi] do. */
    self->bmp['&'] |= G_LOOK;
    self->bmp['\n'] |= G_LOOK;
    self->nfc_safe_lo = nfc ? safe_lo : 1;
    self->nfc_safe_hi = nfc ? safe_hi : 0;
    if (!nfc)
        for (Py_UCS4 c = 0; c < 0x10000; c++)
            self->bmp[c] |= G_NFC;
    if (self->n_astral > 1)
        qsort(self->astral, self->n_astral, sizeof(Py_UCS4), compare_ucs4);
    self->entity = entity;
    self->trailing = trailing;
    return 0;
}

static inline int
gate_astral(const CharGate *self, Py_UCS4 c)
{
    Py_ssize_t lo = 0, hi = self->n_astral;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (self->astral[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < self->n_astral && self->astral[lo] == c;
}

static int
is_ascii_alnum(Py_UCS4 c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Whether ftfy's HTML_ENTITY_RE, &#?[0-9A-Za-z]{1,24};, matches at p (text[p] == '&'): ftfy's
 * unescape_html decodes nothing else, so "AT&T" or "Q&A" flag no line. */
static int
entity_at(int kind, const void *data, Py_ssize_t len, Py_ssize_t p)
{
    Py_ssize_t q = p + 1;
    if (q < len && PyUnicode_READ(kind, data, q) == '#')
        q++;
    Py_ssize_t start = q;
    while (q < len && q - start < 25 && is_ascii_alnum(PyUnicode_READ(kind, data, q)))
        q++;
    return q > start && q - start <= 24 && q < len && PyUnicode_READ(kind, data, q) == ';';
}

/* The flagged lines; *nfc gets whether a character that the NFC check must see occurs. */
static PyObject *
gate_scan(CharGate *self, PyObject *text, int *nfc)
{
    if (!self->bmp) {
        PyErr_SetString(PyExc_ValueError, "CharGate: not initialised");
        return NULL;
    }
    if (!PyUnicode_Check(text) || READY(text) < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "CharGate: text must be str");
        return NULL;
    }
    PyObject *found = PyList_New(0);
    if (!found)
        return NULL;
    Py_ssize_t len = PyUnicode_GET_LENGTH(text), line = 0, flagged = -1;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const uint8_t *bmp = self->bmp;
    uint8_t previous = 0;   /* flags of the character before */
    uint8_t seen = 0;       /* all flags seen */
    Py_UCS4 before = '\n';  /* the character before */
    /* One loop per string kind (no switch per character); most characters have no flag (G_LOOK marks
     * '&' and '\n') and follow no lead or spaced character, so only a table lookup is done. */
#define GATE_LOOP(TYPE)                                                                                              \
    do {                                                                                                           \
        const TYPE *s = (const TYPE *)data;                                                                        \
        for (Py_ssize_t p = 0; p < len; p++) {                                                                     \
            Py_UCS4 c = s[p];                                                                                      \
            uint8_t f = c < 0x10000 ? bmp[c]                                                                       \
                                    : (uint8_t)((gate_astral(self, c) ? G_SINGLE : 0) |                            \
                                                (c < self->nfc_safe_lo || c > self->nfc_safe_hi ? G_NFC : 0));     \
            if (!(f | (previous & (G_LEAD | G_SPACED)))) {                                                         \
                previous = 0;                                                                                      \
                before = c;                                                                                        \
                continue;                                                                                          \
            }                                                                                                      \
            seen |= f;                                                                                             \
            int hit = (f & G_SINGLE) || ((previous & G_LEAD) && (f & G_CONT)) ||                                   \
                      ((previous & G_SPACED) && c == ' ') ||                                                       \
                      (self->entity && c == '&' && entity_at(kind, data, len, p)) ||                               \
                      (self->trailing && c == '\n' && (before == ' ' || before == '\t'));                          \
            if (hit && flagged != line) {                                                                          \
                if (append_number(found, line) < 0) {                                                              \
                    Py_DECREF(found);                                                                              \
                    return NULL;                                                                                   \
                }                                                                                                  \
                flagged = line;                                                                                    \
            }                                                                                                      \
            if (c == '\n')                                                                                         \
                line++;                                                                                            \
            previous = f;                                                                                          \
            before = c;                                                                                            \
        }                                                                                                          \
    } while (0)
    if (kind == PyUnicode_1BYTE_KIND)
        GATE_LOOP(Py_UCS1);
    else if (kind == PyUnicode_2BYTE_KIND)
        GATE_LOOP(Py_UCS2);
    else
        GATE_LOOP(Py_UCS4);
#undef GATE_LOOP
    if (self->trailing && len > 0 && (before == ' ' || before == '\t') && flagged != line &&
        append_number(found, line) < 0) {
        Py_DECREF(found);
        return NULL;
    }
    *nfc = (seen & G_NFC) != 0;
    return found;
}

static PyObject *
gate_lines(CharGate *self, PyObject *text)
{
    int nfc;
    return gate_scan(self, text, &nfc);
}

static PyObject *
gate_scan_method(CharGate *self, PyObject *text)
{
    int nfc = 0;
    PyObject *found = gate_scan(self, text, &nfc);
    return found ? Py_BuildValue("(NO)", found, nfc ? Py_True : Py_False) : NULL;
}

static PyMethodDef gate_methods[] = {
    {"lines", (PyCFunction)gate_lines, METH_O, "lines(text) -> sorted numbers (from 0) of the lines the gate flags"},
    {"scan", (PyCFunction)gate_scan_method, METH_O,
     "scan(text) -> (lines(text), whether a character the NFC check must see occurs)"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject CharGateType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "cleaner._accel.CharGate",
    .tp_basicsize = sizeof(CharGate),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "CharGate(singles, leads, conts, spaced, entity, trailing): the lines a character gate flags",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)gate_init,
    .tp_dealloc = (destructor)gate_dealloc,
    .tp_methods = gate_methods,
};

/* ---- paragraph_units: the web classifier's blocks ---------------------------------------- */

/* paragraph_units(lines, removed_lines_count) -> (units, removed_before, texts), exactly as
 * cleaner/steps/blocks.py's Python loop builds them: non-blank lines are blocks; a line that starts
 * in lower case continues the block before it unless that block's last line ends a sentence (".",
 * "!", "?", ":", '"', U+201D) or a removed line (the DELETED marker, when removed_lines_count) lies
 * between them. texts: each block's stripped lines joined by spaces. Why: the classifier looks at
 * a page several times and this loop ran over every line each time. */
static PyObject *
paragraph_units(PyObject *self, PyObject *args)
{
    PyObject *lines;
    int removed_lines_count;
    if (!PyArg_ParseTuple(args, "O!p", &PyList_Type, &lines, &removed_lines_count))
        return NULL;
    PyObject *units = PyList_New(0), *removed_before = PyList_New(0), *texts = PyList_New(0);
    PyObject *unit = NULL, *pieces = NULL, *space = NULL;
    if (!units || !removed_before || !texts)
        goto fail;
    space = PyUnicode_FromOrdinal(' ');
    if (!space)
        goto fail;
    Py_ssize_t n = PyList_GET_SIZE(lines);
    int removed = 0;
    Py_UCS4 last_end = 0; /* last character of the current unit's last line, stripped */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *line = PyList_GET_ITEM(lines, i);
        if (!PyUnicode_Check(line) || READY(line) < 0) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "paragraph_units: lines must be str");
            goto fail;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(line);
        int kind = PyUnicode_KIND(line);
        const void *data = PyUnicode_DATA(line);
        if (len == 1 && PyUnicode_READ(kind, data, 0) == 0) {
            removed = removed_lines_count;
            continue;
        }
        Py_ssize_t a = 0, b = len;
        while (a < b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, a)))
            a++;
        while (b > a && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, b - 1)))
            b--;
        if (a == b)
            continue;
        PyObject *stripped = (a == 0 && b == len) ? (Py_INCREF(line), line) : PyUnicode_Substring(line, a, b);
        if (!stripped)
            goto fail;
        PyObject *index = PyLong_FromSsize_t(i);
        if (!index) {
            Py_DECREF(stripped);
            goto fail;
        }
        int ends_sentence = last_end == '.' || last_end == '!' || last_end == '?' || last_end == ':' ||
                            last_end == '"' || last_end == 0x201D;
        int continues = unit && !removed && Py_UNICODE_ISLOWER(PyUnicode_READ(kind, data, a)) && !ends_sentence;
        int rc;
        if (continues) {
            rc = PyList_Append(unit, index) < 0 || PyList_Append(pieces, stripped) < 0 ? -1 : 0;
        } else {
            if (unit) { /* close the unit before */
                PyObject *text = PyList_GET_SIZE(pieces) == 1 ? (Py_INCREF(PyList_GET_ITEM(pieces, 0)),
                                                                  PyList_GET_ITEM(pieces, 0))
                                                               : PyUnicode_Join(space, pieces);
                int bad = !text || PyList_Append(texts, text) < 0;
                Py_XDECREF(text);
                Py_CLEAR(pieces);
                if (bad) {
                    Py_DECREF(stripped);
                    Py_DECREF(index);
                    goto fail;
                }
            }
            unit = PyList_New(0);
            pieces = PyList_New(0);
            rc = (!unit || !pieces || PyList_Append(unit, index) < 0 || PyList_Append(pieces, stripped) < 0 ||
                  PyList_Append(units, unit) < 0)
                     ? -1
                     : 0;
            if (rc == 0) {
                PyObject *flag = (removed && PyList_GET_SIZE(units) > 1) ? Py_True : Py_False;
                rc = PyList_Append(removed_before, flag);
            }
            Py_XDECREF(unit); /* `units` holds it */
        }
        Py_DECREF(stripped);
        Py_DECREF(index);
        if (rc < 0)
            goto fail;
        last_end = PyUnicode_READ(kind, data, b - 1);
        removed = 0;
    }
    if (unit) {
        PyObject *text = PyList_GET_SIZE(pieces) == 1 ? (Py_INCREF(PyList_GET_ITEM(pieces, 0)),
                                                          PyList_GET_ITEM(pieces, 0))
                                                       : PyUnicode_Join(space, pieces);
        int bad = !text || PyList_Append(texts, text) < 0;
        Py_XDECREF(text);
        Py_CLEAR(pieces);
        if (bad)
            goto fail;
    }
    Py_DECREF(space);
    return Py_BuildValue("(NNN)", units, removed_before, texts);

fail:
    Py_XDECREF(units);
    Py_XDECREF(removed_before);
    Py_XDECREF(texts);
    Py_XDECREF(pieces);
    Py_XDECREF(space);
    return NULL;
}

/* Whether text[start:end] may hold what regex's \d matches (boilerplate.may_hold_digit): an ASCII
 * digit, a numeric character, or one Python's Unicode tables cannot print (the regex module may
 * know a newer Unicode, where it is a digit). */
static int
may_hold_digit(int kind, const char *data, Py_ssize_t start, Py_ssize_t end)
{
    for (Py_ssize_t k = start; k < end; k++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, k);
        if (c < 0x80 ? (c >= '0' && c <= '9') : (Py_UNICODE_ISNUMERIC(c) || !Py_UNICODE_ISPRINTABLE(c)))
            return 1;
    }
    return 0;
}

/* short_lines(text, max_chars, digits=False) -> (numbers of the lines of at most max_chars characters, those lines
 * joined by newlines): what a rule with no literal to look for is scanned over (boilerplate).
 * `digits`: only the lines that may hold a digit (a rule whose every match holds one). */
static PyObject *
short_lines(PyObject *self, PyObject *args)
{
    PyObject *text;
    Py_ssize_t max_chars;
    int digits = 0;
    if (!PyArg_ParseTuple(args, "Un|p", &text, &max_chars, &digits))
        return NULL;
    if (READY(text) < 0)
        return NULL;
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const char *data = (const char *)PyUnicode_DATA(text);
    char *out = PyMem_Malloc((size_t)(len + 1) * (size_t)kind);
    PyObject *numbers = PyList_New(0);
    if (!out || !numbers) {
        PyMem_Free(out);
        Py_XDECREF(numbers);
        return PyErr_NoMemory();
    }
    Py_ssize_t n_out = 0, line = 0, start = 0;
    while (start <= len) {
        Py_ssize_t end = next_newline(kind, data, len, start);
        if (end - start <= max_chars && (!digits || may_hold_digit(kind, data, start, end))) {
            if (PyList_GET_SIZE(numbers) > 0)
                PyUnicode_WRITE(kind, out, n_out++, '\n');
            memcpy(out + n_out * kind, data + start * kind, (size_t)(end - start) * (size_t)kind);
            n_out += end - start;
            if (append_number(numbers, line) < 0) {
                PyMem_Free(out);
                Py_DECREF(numbers);
                return NULL;
            }
        }
        line++;
        start = end + 1;
    }
    PyObject *joined = PyUnicode_FromKindAndData(kind, out, n_out); /* the smallest kind that holds them */
    PyMem_Free(out);
    if (!joined) {
        Py_DECREF(numbers);
        return NULL;
    }
    return Py_BuildValue("(NN)", numbers, joined);
}

static PyMethodDef methods[] = {
    {"repeat_scan", repeat_scan, METH_VARARGS,
     "repeat_scan(lines or text, min_chars, min_words, near_chars, near, near_wrapped) -> (exact, copies, candidates)"},
    {"paragraph_units", paragraph_units, METH_VARARGS,
     "paragraph_units(lines, removed_lines_count) -> (units, removed_before, texts)"},
    {"short_lines", short_lines, METH_VARARGS,
     "short_lines(text, max_chars, digits=False) -> (line numbers, those lines joined by newlines)"},
    {"near_repeats", near_repeats, METH_VARARGS,
     "near_repeats(indices, lines or text, min_words, max_words, threshold, raw) -> {line: (first line, Jaccard)}"},
    {"found_chars", found_chars, METH_VARARGS, "found_chars(text, chars) -> int: bit k set where chars[k] occurs"},
    {"literal_line_hits", literal_line_hits, METH_VARARGS,
     "literal_line_hits(text, max_chars, trim, table, empty) -> (hits, rest_numbers, rest_keys)"},
    {"lines_at", lines_at, METH_VARARGS, "lines_at(text, ascending line numbers) -> those lines"},
    {"replace_lines", replace_lines, METH_VARARGS, "replace_lines(text, {line: new text}) -> the text so changed"},
    {"layout", layout, METH_VARARGS, "layout(text, max_blank_lines) -> str, as LayoutStep's Python code"},
    {"block_text_stats", block_text_stats, METH_VARARGS,
     "block_text_stats(texts, stopwords, languages, table) -> float64 rows as bytes, or None"},
    {"model_verdicts", model_verdicts, METH_VARARGS,
     "model_verdicts(hidden, bias, out_weights, out_bias, first, final, keep_logit, rescue_logit, fallback) -> "
     "(final, probabilities)"},
    {"context_rows", context_rows, METH_VARARGS,
     "context_rows(hidden, bias, out_weights, out_bias, features, width) -> the context model's input rows as bytes"},
    {"gather_rows", gather_rows, METH_VARARGS,
     "gather_rows(texts, index, matrix, ncols, languages, unknown_language_share) -> (rows, shares) or (None, missing)"},
    {"drop_blocks", drop_blocks, METH_VARARGS,
     "drop_blocks(lines, edits, edit_type, step, rule, deleted, names, units, texts, first, final, shares, chances, "
     "second_look) -> number of blocks dropped"},
    {"block_pass", block_pass, METH_VARARGS,
     "block_pass(texts, units, removed_before, stats, ncols, base, shares, settings, want_features, log_columns, "
     "log_table, page_column) -> (first, final, heading, features or None, log columns taken)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_accel", "Compiled inner loops of cleaner's steps.", -1,
                                    methods, NULL, NULL, NULL, NULL};

/* A tuple of the names in a NULL-terminated array, added to the module (Python checks its column order). */
static int
add_names(PyObject *module, const char *name, const char *const *names)
{
    Py_ssize_t n = 0;
    while (names[n])
        n++;
    PyObject *tuple = PyTuple_New(n);
    if (!tuple)
        return -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *item = PyUnicode_FromString(names[k]);
        if (!item) {
            Py_DECREF(tuple);
            return -1;
        }
        PyTuple_SET_ITEM(tuple, k, item);
    }
    if (PyModule_AddObject(module, name, tuple) < 0) {
        Py_DECREF(tuple);
        return -1;
    }
    return 0;
}

static int
add_type(PyObject *module, const char *name, PyTypeObject *type)
{
    Py_INCREF(type);
    if (PyModule_AddObject(module, name, (PyObject *)type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}

PyMODINIT_FUNC
PyInit__accel(void)
{
    if (PyType_Ready(&AutomatonType) < 0 || PyType_Ready(&CharGateType) < 0 || PyType_Ready(&WordTableType) < 0)
        return NULL;
    for (Py_UCS4 c = 0; c < 256; c++) {
        space1[c] = (uint8_t)Py_UNICODE_ISSPACE(c);
        separator1[0][c] = space1[c];
        separator1[1][c] = (uint8_t)(space1[c] || is_ascii_punct(c));
    }
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    if (PyModule_AddIntConstant(m, "API", 31) < 0) { /* must equal cleaner/accel.py's API */
        Py_DECREF(m);
        return NULL;
    }
    if (add_type(m, "Automaton", &AutomatonType) < 0 || add_type(m, "CharGate", &CharGateType) < 0 ||
        add_type(m, "WordTable", &WordTableType) < 0 ||
        add_names(m, "BLOCK_TEXT_COLUMNS", block_text_columns) < 0 || add_names(m, "BLOCK_FEATURES", block_features) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
