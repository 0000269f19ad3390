/* A table of words (str -> int) that C code looks up by the word's characters, without making a
 * str per word: the classifier's stopwords (word -> language bits) and the boilerplate step's
 * whole-line literal keys (key -> its number + 1). */
#include "_accel.h"

#include <stdint.h>
#include <string.h>

static void
word_table_dealloc(WordTable *self)
{
    PyMem_Free(self->slots);
    PyMem_Free(self->pool);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
word_table_init(WordTable *self, PyObject *args, PyObject *kwds)
{
    static char *keywords[] = {"values", NULL};
    PyObject *masks;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!", keywords, &PyDict_Type, &masks))
        return -1;
    PyMem_Free(self->slots);
    PyMem_Free(self->pool);
    self->slots = NULL;
    self->pool = NULL;
    self->longest = 0;
    self->smallest = self->largest = 0;
    Py_ssize_t count = PyDict_GET_SIZE(masks), chars = 0, pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(masks, &pos, &key, &value)) {
        if (!PyUnicode_Check(key) || READY(key) < 0 || !PyLong_Check(value)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "WordTable: values must map str to int");
            return -1;
        }
        chars += PyUnicode_GET_LENGTH(key);
    }
    self->size = 8;
    while (self->size < 2 * count)
        self->size *= 2;
    self->slots = PyMem_Calloc((size_t)self->size, sizeof(WordSlot));
    self->pool = PyMem_Malloc((size_t)(chars ? chars : 1) * sizeof(Py_UCS4));
    if (!self->slots || !self->pool) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t used = 0;
    pos = 0;
    while (PyDict_Next(masks, &pos, &key, &value)) {
        Py_ssize_t len = PyUnicode_GET_LENGTH(key);
        if (len == 0)
            continue; /* no \w+ run is empty */
        long long mask = PyLong_AsLongLong(value);
        if (mask == -1 && PyErr_Occurred())
            return -1;
        int kind = PyUnicode_KIND(key);
        const void *data = PyUnicode_DATA(key);
        uint64_t h = WORD_HASH_START;
        for (Py_ssize_t k = 0; k < len; k++) {
            self->pool[used + k] = PyUnicode_READ(kind, data, k);
            h = word_hash_step(h, self->pool[used + k]);
        }
        Py_ssize_t at = (Py_ssize_t)(h & (uint64_t)(self->size - 1));
        while (self->slots[at].length)
            at = (at + 1) & (self->size - 1);
        self->slots[at] = (WordSlot){h, used, len, mask};
        if (used == 0 || mask < self->smallest)
            self->smallest = mask;
        if (used == 0 || mask > self->largest)
            self->largest = mask;
        used += len;
        if (len > self->longest)
            self->longest = len;
    }
    return 0;
}

long long
word_table_find(const WordTable *self, uint64_t h, const Py_UCS4 *word, Py_ssize_t len)
{
    Py_ssize_t at = (Py_ssize_t)(h & (uint64_t)(self->size - 1));
    for (;;) {
        const WordSlot *slot = &self->slots[at];
        if (!slot->length)
            return 0;
        if (slot->hash == h && slot->length == len &&
            memcmp(self->pool + slot->start, word, (size_t)len * sizeof(Py_UCS4)) == 0)
            return slot->mask;
        at = (at + 1) & (self->size - 1);
    }
}

static PyObject *
word_table_get(WordTable *self, PyObject *word)
{
    if (!PyUnicode_Check(word) || READY(word) < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "WordTable.get: word must be str");
        return NULL;
    }
    Py_UCS4 *chars = PyUnicode_AsUCS4Copy(word);
    if (!chars)
        return NULL;
    Py_ssize_t len = PyUnicode_GET_LENGTH(word);
    uint64_t h = WORD_HASH_START;
    for (Py_ssize_t k = 0; k < len; k++)
        h = word_hash_step(h, chars[k]);
    long long mask = len ? word_table_find(self, h, chars, len) : 0;
    PyMem_Free(chars);
    return PyLong_FromLongLong(mask);
}

static PyMethodDef word_table_methods[] = {
    {"get", (PyCFunction)word_table_get, METH_O, "get(word) -> its value (0: not in the table)"},
    {NULL, NULL, 0, NULL},
};

PyTypeObject WordTableType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "cleaner._accel.WordTable",
    .tp_basicsize = sizeof(WordTable),
    .tp_dealloc = (destructor)word_table_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "WordTable(values): str -> int, looked up from C without making a str per word",
    .tp_methods = word_table_methods,
    .tp_init = (initproc)word_table_init,
    .tp_new = PyType_GenericNew,
};

