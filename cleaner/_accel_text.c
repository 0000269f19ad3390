/* Compiled whole-text passes of the pipeline's edges (cleaner/pipeline.py, cleaner/steps/layout.py).
 *
 * Why: before and after the steps, every document was scanned a dozen times by `in` tests and
 * regexes (line endings, NUL characters, removed lines, blank runs) and rebuilt by split and join;
 * on short documents that was a tenth of the time. These functions do it in one pass each; the
 * Python code stays as the fallback and the reference, and tests check that both agree.
 */
#include "_accel.h"

#include <stdint.h>
#include <string.h>

/* found_chars(text, chars) -> int: bit k set where chars[k] occurs in text (at most 63 chars). */
PyObject *
found_chars(PyObject *self, PyObject *args)
{
    PyObject *text, *chars;
    if (!PyArg_ParseTuple(args, "UU", &text, &chars))
        return NULL;
    if (READY(text) < 0 || READY(chars) < 0)
        return NULL;
    Py_ssize_t n_chars = PyUnicode_GET_LENGTH(chars);
    if (n_chars > 63) {
        PyErr_SetString(PyExc_ValueError, "found_chars: at most 63 characters");
        return NULL;
    }
    uint64_t bit_of[256] = {0}, others = 0, found = 0;
    Py_UCS4 wide[63];
    int wide_bit[63], n_wide = 0;
    for (Py_ssize_t k = 0; k < n_chars; k++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(chars, k);
        if (c < 256) {
            bit_of[c] |= (uint64_t)1 << k;
        } else {
            wide[n_wide] = c;
            wide_bit[n_wide++] = (int)k;
        }
    }
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *s = data;
        for (Py_ssize_t p = 0; p < len; p++)
            found |= bit_of[s[p]];
    } else {
        for (Py_ssize_t p = 0; p < len; p++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, p);
            if (c < 256) {
                found |= bit_of[c];
            } else if (n_wide) {
                for (int w = 0; w < n_wide; w++)
                    if (wide[w] == c)
                        others |= (uint64_t)1 << wide_bit[w];
            }
        }
    }
    return PyLong_FromUnsignedLongLong(found | others);
}

/* layout(text, max_blank_lines) -> str: LayoutStep's pure-Python code in one pass: lines that are
 * the removed-line marker (a lone NUL) go; a run of more than max_blank_lines blank lines (spaces
 * and tabs only) after a line break becomes max_blank_lines empty lines (the regex
 * \n(?:[ \t]*\n){max_blank_lines + 1,}); blank lines at the start go; trailing whitespace goes
 * (str.rstrip()). The text itself where nothing changes. */
PyObject *
layout(PyObject *self, PyObject *args)
{
    PyObject *text;
    Py_ssize_t max_blank;
    if (!PyArg_ParseTuple(args, "Un", &text, &max_blank))
        return NULL;
    if (READY(text) < 0)
        return NULL;
    if (max_blank < 0) {
        PyErr_SetString(PyExc_ValueError, "layout: max_blank_lines must be >= 0");
        return NULL;
    }
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const char *data = (const char *)PyUnicode_DATA(text);
    /* The kept lines: (start, end) of each, the removed-line markers left out. */
    Py_ssize_t capacity = 64, n = 0, start = 0;
    int removed = 0;
    Py_ssize_t *spans = PyMem_Malloc(sizeof(Py_ssize_t) * 2 * (size_t)capacity);
    uint8_t *blank = PyMem_Malloc((size_t)capacity);
    char *out = NULL;
    PyObject *result = NULL;
    if (!spans || !blank)
        goto nomem;
    for (;;) {
        Py_ssize_t end = next_newline(kind, data, len, start);
        if (end - start == 1 && PyUnicode_READ(kind, data, start) == 0) {
            removed = 1;
        } else {
            if (n == capacity) {
                capacity *= 2;
                Py_ssize_t *grown = PyMem_Realloc(spans, sizeof(Py_ssize_t) * 2 * (size_t)capacity);
                uint8_t *grown_blank = grown ? PyMem_Realloc(blank, (size_t)capacity) : NULL;
                if (grown)
                    spans = grown;
                if (!grown || !grown_blank)
                    goto nomem;
                blank = grown_blank;
            }
            int only_space = 1;
            for (Py_ssize_t q = start; q < end && only_space; q++) {
                Py_UCS4 c = PyUnicode_READ(kind, data, q);
                only_space = c == ' ' || c == '\t';
            }
            spans[2 * n] = start;
            spans[2 * n + 1] = end;
            blank[n++] = (uint8_t)only_space;
        }
        if (end >= len)
            break;
        start = end + 1;
    }
    /* Lines 1 .. n-2 (after a line break, and ended by one) in runs of more than max_blank blank
     * lines become max_blank empty lines; blank lines ended by a line break at the start go. */
    Py_ssize_t first = 0;
    while (first < n - 1 && blank[first])
        first++;
    int collapse = 0;
    for (Py_ssize_t i = first, run = 0; i < n - 1 && !collapse; i++) {
        run = i >= 1 && blank[i] ? run + 1 : 0;
        collapse = run > max_blank;
    }
    Py_ssize_t tail = len;
    while (tail > 0 && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, tail - 1)))
        tail--;
    if (!removed && !first && !collapse && tail == len) { /* nothing to change: most documents */
        Py_INCREF(text);
        result = text;
        goto done;
    }
    out = PyMem_Malloc((size_t)(len ? len : 1) * (size_t)kind);
    if (!out)
        goto nomem;
    Py_ssize_t n_out = 0, written = 0;
    for (Py_ssize_t i = first; i < n; i++) {
        if (i >= 1 && i <= n - 2 && blank[i]) {
            Py_ssize_t j = i;
            while (j <= n - 2 && blank[j])
                j++;
            if (j - i > max_blank) { /* lines i .. j-1: max_blank empty lines */
                for (Py_ssize_t e = 0; e < max_blank; e++) {
                    if (written++)
                        PyUnicode_WRITE(kind, out, n_out++, '\n');
                }
                i = j - 1;
                continue;
            }
        }
        if (written++)
            PyUnicode_WRITE(kind, out, n_out++, '\n');
        Py_ssize_t a = spans[2 * i], b = spans[2 * i + 1];
        memcpy(out + n_out * kind, data + a * kind, (size_t)(b - a) * (size_t)kind);
        n_out += b - a;
    }
    while (n_out > 0 && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, out, n_out - 1)))
        n_out--;
    result = PyUnicode_FromKindAndData(kind, out, n_out);
    goto done;
nomem:
    PyErr_NoMemory();
done:
    PyMem_Free(spans);
    PyMem_Free(blank);
    PyMem_Free(out);
    return result;
}

/* literal_line_hits(text, max_chars, trim, table, empty) -> (hits, rest_numbers, rest_keys): the
 * boilerplate step's whole-line literal lookup. For each line of at most max_chars characters, its
 * key is " ".join(line.strip(trim).split()), case-folded. Keys of ASCII characters only are folded
 * (str.casefold() is str.lower() there) and looked up here in `table` (key -> its number + 1; the
 * empty key has number `empty`, -1 for none): (line, number) in `hits`. Other keys need Python's
 * casefold(): their lines are in rest_numbers and the keys, not yet folded, joined by "\n" in
 * rest_keys. A key longer than every key in the table is dropped at once (casefold() never makes a
 * text shorter). */
PyObject *
literal_line_hits(PyObject *self, PyObject *args)
{
    PyObject *text, *trim;
    WordTable *table;
    Py_ssize_t max_chars, empty;
    if (!PyArg_ParseTuple(args, "UnUO!n", &text, &max_chars, &trim, &WordTableType, &table, &empty))
        return NULL;
    if (READY(text) < 0 || READY(trim) < 0)
        return NULL;
    Py_ssize_t len = PyUnicode_GET_LENGTH(text), n_trim = PyUnicode_GET_LENGTH(trim);
    int kind = PyUnicode_KIND(text), trim_kind = PyUnicode_KIND(trim);
    const void *data = PyUnicode_DATA(text), *trim_data = PyUnicode_DATA(trim);
    uint8_t trim_ascii[128] = {0}; /* the trim characters below 128; the rest are looked up in `trim` */
    for (Py_ssize_t k = 0; k < n_trim; k++) {
        Py_UCS4 c = PyUnicode_READ(trim_kind, trim_data, k);
        if (c < 128)
            trim_ascii[c] = 1;
    }
    Py_UCS4 *key = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(max_chars + 1));
    Py_UCS4 *rest = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(len + 1));
    PyObject *hits = PyList_New(0), *numbers = PyList_New(0), *result = NULL;
    if (!key || !rest || !hits || !numbers) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t n_rest = 0, line = 0, start = 0;
    for (;;) {
        Py_ssize_t end = next_newline(kind, data, len, start);
        if (end - start <= max_chars) {
            Py_ssize_t a = start, b = end;
            for (; a < b; a++) { /* line.strip(trim) */
                Py_UCS4 c = PyUnicode_READ(kind, data, a);
                if (c < 128 ? !trim_ascii[c] : PyUnicode_FindChar(trim, c, 0, n_trim, 1) < 0)
                    break;
            }
            for (; b > a; b--) {
                Py_UCS4 c = PyUnicode_READ(kind, data, b - 1);
                if (c < 128 ? !trim_ascii[c] : PyUnicode_FindChar(trim, c, 0, n_trim, 1) < 0)
                    break;
            }
            Py_ssize_t n_key = 0;
            int in_word = 0, words = 0, ascii = 1;
            for (Py_ssize_t p = a; p < b && n_key <= table->longest; p++) { /* " ".join(....split()) */
                Py_UCS4 c = PyUnicode_READ(kind, data, p);
                if (Py_UNICODE_ISSPACE(c)) {
                    in_word = 0;
                    continue;
                }
                if (!in_word && words++)
                    key[n_key++] = ' ';
                in_word = 1;
                ascii &= c < 128;
                key[n_key++] = c;
            }
            if (n_key > table->longest) {
                /* longer than every key: casefold() never shortens a text, so it is no key */
            } else if (ascii) {
                Py_ssize_t number = empty;
                if (n_key) {
                    uint64_t h = WORD_HASH_START;
                    for (Py_ssize_t k = 0; k < n_key; k++) {
                        if (key[k] >= 'A' && key[k] <= 'Z')
                            key[k] += 'a' - 'A';
                        h = word_hash_step(h, key[k]);
                    }
                    number = n_key <= table->longest ? (Py_ssize_t)word_table_find(table, h, key, n_key) - 1 : -1;
                }
                if (number >= 0 && append_pair(hits, line, number) < 0)
                    goto done;
            } else {
                if (PyList_GET_SIZE(numbers) > 0)
                    rest[n_rest++] = '\n';
                memcpy(rest + n_rest, key, sizeof(Py_UCS4) * (size_t)n_key);
                n_rest += n_key;
                PyObject *number = PyLong_FromSsize_t(line);
                int rc = number ? PyList_Append(numbers, number) : -1;
                Py_XDECREF(number);
                if (rc < 0)
                    goto done;
            }
        }
        if (end >= len)
            break;
        line++;
        start = end + 1;
    }
    PyObject *keys = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, rest, n_rest);
    if (keys)
        result = Py_BuildValue("(OON)", hits, numbers, keys);
done:
    PyMem_Free(key);
    PyMem_Free(rest);
    Py_XDECREF(hits);
    Py_XDECREF(numbers);
    return result;
}

/* lines_at(text, numbers) -> the lines (text.split("\n")[k]) with the given numbers, in ascending
 * order: what a step needs of a document it may change a few lines of, without splitting it all. */
PyObject *
lines_at(PyObject *self, PyObject *args)
{
    PyObject *text, *numbers;
    if (!PyArg_ParseTuple(args, "UO!", &text, &PyList_Type, &numbers))
        return NULL;
    if (READY(text) < 0)
        return NULL;
    Py_ssize_t len = PyUnicode_GET_LENGTH(text), n = PyList_GET_SIZE(numbers), line = 0, start = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *found = PyList_New(n);
    if (!found)
        return NULL;
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t wanted = PyLong_AsSsize_t(PyList_GET_ITEM(numbers, k));
        if (wanted == -1 && PyErr_Occurred())
            goto fail;
        if (wanted < line) {
            PyErr_SetString(PyExc_ValueError, "lines_at: line numbers must ascend");
            goto fail;
        }
        while (line < wanted) {
            Py_ssize_t end = next_newline(kind, data, len, start);
            if (end >= len) {
                PyErr_SetString(PyExc_IndexError, "lines_at: a line number past the text's lines");
                goto fail;
            }
            start = end + 1;
            line++;
        }
        PyObject *piece = PyUnicode_Substring(text, start, next_newline(kind, data, len, start));
        if (!piece)
            goto fail;
        PyList_SET_ITEM(found, k, piece);
    }
    return found;
fail:
    Py_DECREF(found);
    return NULL;
}

/* replace_lines(text, replacements) -> the text with line k replaced by replacements[k] (a str
 * without "\n") for each key: "\n".join(lines) after lines[k] = new, in one pass. */
PyObject *
replace_lines(PyObject *self, PyObject *args)
{
    PyObject *text, *replacements;
    if (!PyArg_ParseTuple(args, "UO!", &text, &PyDict_Type, &replacements))
        return NULL;
    if (READY(text) < 0)
        return NULL;
    PyObject *pieces = PyList_New(0), *sep = NULL, *result = NULL, *keys = PyDict_Keys(replacements);
    if (!pieces || !keys || PyList_Sort(keys) < 0)
        goto done;
    Py_ssize_t len = PyUnicode_GET_LENGTH(text), n = PyList_GET_SIZE(keys), line = 0, start = 0, kept_from = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *key = PyList_GET_ITEM(keys, k);
        Py_ssize_t wanted = PyLong_AsSsize_t(key);
        if (wanted == -1 && PyErr_Occurred())
            goto done;
        while (line < wanted) {
            Py_ssize_t end = next_newline(kind, data, len, start);
            if (end >= len) {
                PyErr_SetString(PyExc_IndexError, "replace_lines: a line number past the text's lines");
                goto done;
            }
            start = end + 1;
            line++;
        }
        if (wanted < 0) {
            PyErr_SetString(PyExc_IndexError, "replace_lines: a negative line number");
            goto done;
        }
        PyObject *before = PyUnicode_Substring(text, kept_from, start); /* up to this line, its "\n" included */
        PyObject *new = PyDict_GetItemWithError(replacements, key);       /* borrowed */
        int bad = !before || !new || !PyUnicode_Check(new) || PyList_Append(pieces, before) < 0 ||
                  PyList_Append(pieces, new) < 0;
        Py_XDECREF(before);
        if (bad) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "replace_lines: replacements must be str");
            goto done;
        }
        kept_from = next_newline(kind, data, len, start); /* the rest starts at this line's "\n" */
    }
    PyObject *rest = PyUnicode_Substring(text, kept_from, len);
    if (!rest || PyList_Append(pieces, rest) < 0) {
        Py_XDECREF(rest);
        goto done;
    }
    Py_DECREF(rest);
    sep = PyUnicode_New(0, 0);
    if (sep)
        result = PyUnicode_Join(sep, pieces);
done:
    Py_XDECREF(pieces);
    Py_XDECREF(keys);
    Py_XDECREF(sep);
    return result;
}
