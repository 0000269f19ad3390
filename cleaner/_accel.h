/* What the accelerator's source files share (cleaner/_accel.c holds the module and its table). */
#ifndef CLEANER_ACCEL_H
#define CLEANER_ACCEL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#if PY_VERSION_HEX >= 0x030C0000
#define READY(op) 0 /* strings are always ready since 3.12 */
#else
#define READY(op) PyUnicode_READY(op)
#endif

/* The next "\n" in text[from:len] (len where there is none): memchr for one-byte text, a typed
 * loop per string kind otherwise (PyUnicode_READ costs a switch per character). */
static inline Py_ssize_t
next_newline(int kind, const void *data, Py_ssize_t len, Py_ssize_t from)
{
    if (kind == PyUnicode_1BYTE_KIND) {
        const char *p = memchr((const char *)data + from, '\n', (size_t)(len - from));
        return p ? p - (const char *)data : len;
    }
    if (kind == PyUnicode_2BYTE_KIND) { /* four characters at a time: is any 16-bit lane "\n"? */
        const Py_UCS2 *s = data;
        for (; from + 4 <= len; from += 4) {
            uint64_t word;
            memcpy(&word, s + from, 8);
            word ^= 0x000A000A000A000AULL;
            if ((word - 0x0001000100010001ULL) & ~word & 0x8000800080008000ULL)
                break;
        }
        while (from < len && s[from] != '\n')
            from++;
        return from;
    }
    const Py_UCS4 *s = data;
    while (from < len && s[from] != '\n')
        from++;
    return from;
}

/* Append the pair (a, b) to a list; -1 with an exception set on failure (cleaner/_accel.c). */
int append_pair(PyObject *list, Py_ssize_t a, Py_ssize_t b);

/* jusText classes (blocks._CLASS_NAMES order); NONE is a page edge that decides nothing. */
enum { GOOD, NEARGOOD, SHORT, BAD, NONE };

/* cleaner/_accel_blocks.c: the web block classifier's per-block work; cleaner/_accel_looks.c: what
 * each look does around it. */
PyObject *block_text_stats(PyObject *self, PyObject *args);
PyObject *block_pass(PyObject *self, PyObject *args);
PyObject *drop_blocks(PyObject *self, PyObject *args);
PyObject *gather_rows(PyObject *self, PyObject *args);
PyObject *model_verdicts(PyObject *self, PyObject *args);
PyObject *context_rows(PyObject *self, PyObject *args);
/* cleaner/_accel_words.c: words looked up by their characters (FNV-1a over code points). */
typedef struct {
    uint64_t hash;
    Py_ssize_t start, length; /* in `pool` */
    long long mask;           /* the word's value */
} WordSlot;

typedef struct {
    PyObject_HEAD
    WordSlot *slots; /* open addressing; length 0 marks an empty slot */
    Py_ssize_t size; /* a power of two */
    Py_UCS4 *pool;
    Py_ssize_t longest;
    long long smallest, largest; /* of the values (0, 0 for an empty table) */
} WordTable;

#define WORD_HASH_START 0xcbf29ce484222325ULL
static inline uint64_t
word_hash_step(uint64_t h, Py_UCS4 c)
{
    return (h ^ c) * 0x100000001b3ULL;
}

extern PyTypeObject WordTableType;
/* The value of the word (len > 0 characters, hash h), 0 where the table lacks it. */
long long word_table_find(const WordTable *self, uint64_t h, const Py_UCS4 *word, Py_ssize_t len);

/* cleaner/_accel_text.c: whole-text passes before and after the steps. */
PyObject *found_chars(PyObject *self, PyObject *args);
PyObject *layout(PyObject *self, PyObject *args);
PyObject *literal_line_hits(PyObject *self, PyObject *args);
PyObject *lines_at(PyObject *self, PyObject *args);
PyObject *replace_lines(PyObject *self, PyObject *args);
extern const char *const block_text_columns[];
extern const char *const block_features[];

#endif
