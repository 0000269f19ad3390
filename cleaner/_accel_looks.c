/* A look of the web block classifier around its C pass (cleaner/steps/blocks.py): the statistics
 * rows of the page's blocks gathered from those kept per block text, the block model's output layer
 * and the classifier's calls, and the edits of the lines that go.
 *
 * Why: once each block's own work was in C (cleaner/_accel_blocks.c), the Python and numpy around it
 * (a dict lookup and a dozen small array operations per look, an f-string and a NamedTuple per
 * dropped line) took most of the classifier's time. The Python code stays as the fallback and the
 * reference; tests check that both give the same edits, notes and digits.
 */
#include "_accel.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* drop_blocks(lines, edits, edit_type, step, rule, deleted, names, units, texts, first, final,
 *             shares, chances, second_look) -> number of blocks dropped
 *
 * BlockClassifierStep._drop: for every block whose final class is not good, one Edit per line
 * (step, rule, "drop", line number, the line, "", a note on why), and the lines become `deleted`.
 * Why in C: a page loses about 100 lines a look; building their notes and Edit tuples in Python
 * was a fifth of the classifier's time. The notes are formatted as the f-strings of _drop_python
 * (PyOS_double_to_string is what float.__format__ uses for ".2f"). */
static PyObject *
drop_note(PyObject *names, uint8_t first, uint8_t final, Py_ssize_t chars, double share, const double *chance,
          int second_look)
{
    Py_ssize_t count = PyTuple_GET_SIZE(names);
    if (first >= count || final >= count) {
        PyErr_SetString(PyExc_ValueError, "drop_blocks: a class code has no name");
        return NULL;
    }
    PyObject *first_obj = PyTuple_GET_ITEM(names, first), *final_obj = PyTuple_GET_ITEM(names, final);
    if (!PyUnicode_IS_ASCII(first_obj) || !PyUnicode_IS_ASCII(final_obj)) {
        PyErr_SetString(PyExc_ValueError, "drop_blocks: class names must be ASCII");
        return NULL;
    }
    const char *first_name = (const char *)PyUnicode_DATA(first_obj), *final_name = (const char *)PyUnicode_DATA(final_obj);
    char *share_text = PyOS_double_to_string(share, 'f', 2, 0, NULL);
    char *chance_text = chance ? PyOS_double_to_string(*chance, 'f', 2, 0, NULL) : NULL;
    PyObject *note = NULL;
    if (share_text && (chance_text || !chance)) {
        char number[32];
        int digits = 0;
        Py_ssize_t rest = chars < 0 ? 0 : chars;
        do { /* chars in decimal, backwards */
            number[sizeof number - 1 - digits++] = (char)('0' + rest % 10);
            rest /= 10;
        } while (rest && digits < (int)sizeof number);
        const char *parts[] = {first_name, " -> ", final_name, ": ", NULL, " chars, stopwords ", share_text,
                               chance ? ", model " : "", chance ? chance_text : "",
                               second_look ? " (second look)" : ""};
        size_t sizes[sizeof parts / sizeof parts[0]], total = 0;
        for (size_t j = 0; j < sizeof parts / sizeof parts[0]; j++)
            total += sizes[j] = parts[j] ? strlen(parts[j]) : (size_t)digits;
        note = PyUnicode_New((Py_ssize_t)total, 127); /* class names and numbers are ASCII */
        if (note) {
            char *out = (char *)PyUnicode_DATA(note);
            for (size_t j = 0; j < sizeof parts / sizeof parts[0]; j++) {
                memcpy(out, parts[j] ? parts[j] : number + sizeof number - digits, sizes[j]);
                out += sizes[j];
            }
        }
    } else {
        PyErr_NoMemory();
    }
    PyMem_Free(share_text);
    PyMem_Free(chance_text);
    return note;
}

/* Edit(*fields) for a NamedTuple type: tuple.__new__ without the Python-level __new__. Before 3.14 the
 * tuple is allocated and filled directly (what tuple_subtype_new does); 3.14 caches a tuple's hash in
 * it, so there tuple's own tp_new builds it. Steals nothing: the fields are borrowed. */
static PyObject *
new_edit(PyTypeObject *edit_type, PyObject *const *fields, Py_ssize_t count)
{
#if PY_VERSION_HEX < 0x030E0000
    PyObject *edit = edit_type->tp_alloc(edit_type, count);
    if (!edit)
        return NULL;
    for (Py_ssize_t j = 0; j < count; j++) {
        Py_INCREF(fields[j]);
        PyTuple_SET_ITEM(edit, j, fields[j]);
    }
    return edit;
#else
    PyObject *plain = PyTuple_New(count);
    if (!plain)
        return NULL;
    for (Py_ssize_t j = 0; j < count; j++) {
        Py_INCREF(fields[j]);
        PyTuple_SET_ITEM(plain, j, fields[j]);
    }
    PyObject *wrapped = PyTuple_Pack(1, plain);
    Py_DECREF(plain);
    if (!wrapped)
        return NULL;
    PyObject *edit = PyTuple_Type.tp_new(edit_type, wrapped, NULL);
    Py_DECREF(wrapped);
    return edit;
#endif
}

PyObject *
drop_blocks(PyObject *self, PyObject *args)
{
    PyObject *lines, *edits, *edit_type, *step, *rule, *deleted, *names, *units, *texts, *chances_obj;
    Py_buffer first_buf, final_buf, shares_buf, chances_buf = {0};
    int second_look;
    if (!PyArg_ParseTuple(args, "O!O!O!UUUO!O!O!y*y*y*Op", &PyList_Type, &lines, &PyList_Type, &edits, &PyType_Type,
                          &edit_type, &step, &rule, &deleted, &PyTuple_Type, &names, &PyList_Type, &units,
                          &PyList_Type, &texts, &first_buf, &final_buf, &shares_buf, &chances_obj, &second_look))
        return NULL;
    PyObject *action = NULL, *empty = NULL, *result = NULL;
    Py_ssize_t n = PyList_GET_SIZE(units), dropped = 0, nlines = PyList_GET_SIZE(lines);
    const double *chances = NULL;
    if (chances_obj != Py_None) {
        if (PyObject_GetBuffer(chances_obj, &chances_buf, PyBUF_SIMPLE) < 0)
            goto done;
        chances = (const double *)chances_buf.buf;
    }
    if (!PyType_IsSubtype((PyTypeObject *)edit_type, &PyTuple_Type) || PyList_GET_SIZE(texts) != n ||
        first_buf.len != n || final_buf.len != n || shares_buf.len != n * (Py_ssize_t)sizeof(double) ||
        (chances && chances_buf.len != n * (Py_ssize_t)sizeof(double))) {
        PyErr_SetString(PyExc_ValueError, "drop_blocks: arguments of different sizes");
        goto done;
    }
    action = PyUnicode_FromString("drop");
    empty = PyUnicode_FromStringAndSize(NULL, 0);
    if (!action || !empty)
        goto done;
    const uint8_t *first = first_buf.buf, *final = final_buf.buf;
    const double *shares = shares_buf.buf;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (final[k] == GOOD)
            continue;
        PyObject *unit = PyList_GET_ITEM(units, k), *text = PyList_GET_ITEM(texts, k);
        if (!PyList_Check(unit) || !PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "drop_blocks: units must be lists and texts str");
            goto done;
        }
        PyObject *note = drop_note(names, first[k], final[k], PyUnicode_GET_LENGTH(text), shares[k],
                                   chances ? chances + k : NULL, second_look);
        if (!note)
            goto done;
        for (Py_ssize_t j = 0; j < PyList_GET_SIZE(unit); j++) {
            Py_ssize_t i = PyLong_AsSsize_t(PyList_GET_ITEM(unit, j));
            if (i == -1 && PyErr_Occurred()) {
                Py_DECREF(note);
                goto done;
            }
            if (i < 0 || i >= nlines) {
                PyErr_SetString(PyExc_IndexError, "drop_blocks: a unit's line is out of range");
                Py_DECREF(note);
                goto done;
            }
            PyObject *number = PyLong_FromSsize_t(i + 1);
            PyObject *edit = NULL;
            if (number) {
                PyObject *fields[7] = {step, rule, action, number, PyList_GET_ITEM(lines, i), empty, note};
                edit = new_edit((PyTypeObject *)edit_type, fields, 7);
                Py_DECREF(number);
            }
            if (!edit || PyList_Append(edits, edit) < 0) {
                Py_XDECREF(edit);
                Py_DECREF(note);
                goto done;
            }
            Py_DECREF(edit);
            Py_INCREF(deleted);
            PyList_SetItem(lines, i, deleted); /* steals the reference, releases the line */
        }
        Py_DECREF(note);
        dropped++;
    }
    result = PyLong_FromSsize_t(dropped);
done:
    Py_XDECREF(action);
    Py_XDECREF(empty);
    PyBuffer_Release(&first_buf);
    PyBuffer_Release(&final_buf);
    PyBuffer_Release(&shares_buf);
    if (chances)
        PyBuffer_Release(&chances_buf);
    return result;
}

/* gather_rows(texts, index, matrix, ncols, languages, unknown_language_share)
 *     -> (rows, shares) as float64 bytes, or (None, texts the index lacks)
 *
 * BlockClassifierStep._blocks' statistics, from the rows kept per block text (RowStore: `index`
 * maps a text to its row of `matrix`, `ncols` columns: words, stopword hits per language, then
 * the text columns), and each block's stopword share in the page's languages (the one with the
 * most hits and any with a quarter as many; all ones where the page's language has no list).
 * Why in C: a look gathers about a hundred rows and a dict lookup per block in Python, plus a
 * dozen small numpy operations for the shares, cost more than the rest of the look's C pass. */
PyObject *
gather_rows(PyObject *self, PyObject *args)
{
    PyObject *texts, *index;
    Py_buffer matrix_buf;
    Py_ssize_t ncols, languages;
    double unknown_share;
    if (!PyArg_ParseTuple(args, "O!O!y*nnd", &PyList_Type, &texts, &PyDict_Type, &index, &matrix_buf, &ncols,
                          &languages, &unknown_share))
        return NULL;
    PyObject *result = NULL, *rows_b = NULL, *shares_b = NULL, *missing = NULL;
    Py_ssize_t n = PyList_GET_SIZE(texts);
    Py_ssize_t stored = ncols > 0 ? matrix_buf.len / (ncols * (Py_ssize_t)sizeof(double)) : 0;
    if (languages < 1 || languages > 62 || ncols < 1 + languages) {
        PyErr_SetString(PyExc_ValueError, "gather_rows: bad column counts");
        goto done;
    }
    rows_b = PyBytes_FromStringAndSize(NULL, n * ncols * (Py_ssize_t)sizeof(double));
    if (!rows_b)
        goto done;
    double *rows = (double *)PyBytes_AS_STRING(rows_b);
    const double *matrix = matrix_buf.buf;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *text = PyList_GET_ITEM(texts, k);
        PyObject *at = PyDict_GetItemWithError(index, text);
        if (!at) {
            if (PyErr_Occurred())
                goto done;
            if (!missing && !(missing = PyList_New(0)))
                goto done;
            if (PyList_Append(missing, text) < 0)
                goto done;
            continue;
        }
        Py_ssize_t row = PyLong_AsSsize_t(at);
        if (row == -1 && PyErr_Occurred())
            goto done;
        if (row < 0 || row >= stored) {
            PyErr_SetString(PyExc_IndexError, "gather_rows: a row is outside the matrix");
            goto done;
        }
        if (!missing)
            memcpy(rows + k * ncols, matrix + row * ncols, (size_t)ncols * sizeof(double));
    }
    if (missing) {
        result = PyTuple_Pack(2, Py_None, missing);
        goto done;
    }
    /* BlockClassifierStep.languages and _blocks: counts are whole numbers, so these sums are exact */
    double hits[64] = {0}, total_words = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        total_words += rows[k * ncols];
        for (Py_ssize_t lang = 0; lang < languages; lang++)
            hits[lang] += rows[k * ncols + 1 + lang];
    }
    double top = hits[0];
    for (Py_ssize_t lang = 1; lang < languages; lang++)
        top = hits[lang] > top ? hits[lang] : top;
    double needed = 0.25 * top > 1.0 ? 0.25 * top : 1.0;
    uint64_t present = 0;
    for (Py_ssize_t lang = 0; lang < languages; lang++)
        if (hits[lang] >= needed)
            present |= 1ULL << lang;
    if (!present)
        present = 1;
    int no_list = unknown_share != 0.0 && total_words >= 50 && top < unknown_share * total_words;
    shares_b = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(double));
    if (!shares_b)
        goto done;
    double *shares = (double *)PyBytes_AS_STRING(shares_b);
    for (Py_ssize_t k = 0; k < n; k++) {
        if (no_list) {
            shares[k] = 1.0;
            continue;
        }
        const double *row = rows + k * ncols;
        double best = 0;
        int any = 0;
        for (Py_ssize_t lang = 0; lang < languages; lang++)
            if (present >> lang & 1) {
                double h = row[1 + lang];
                if (!any || h > best)
                    best = h;
                any = 1;
            }
        shares[k] = best / (row[0] > 1.0 ? row[0] : 1.0);
    }
    result = PyTuple_Pack(2, rows_b, shares_b);
done:
    Py_XDECREF(rows_b);
    Py_XDECREF(shares_b);
    Py_XDECREF(missing);
    PyBuffer_Release(&matrix_buf);
    return result;
}

/* model_verdicts(hidden, bias, out_weights, out_bias, first, final, keep_logit, rescue_logit, fallback)
 *     -> (final classes, probabilities as float64 bytes)
 *
 * The block model's output layer and the classifier's call (block_model.logits_of, then
 * BlockClassifierStep._model_verdicts): `hidden` is the page's hidden layer before its bias (float32,
 * n rows of `width`, numpy's matrix product). A row's logit sums relu(hidden + bias) * out_weights in
 * float32 in eight running sums (column j into sum j mod 8; a missing column adds 0), combined as
 * ((s0+s4)+(s2+s6))+((s1+s5)+(s3+s7)): the order logits_of follows, so both give the same digits. A
 * block jusText's rules keep (final GOOD) stays where its logit reaches keep_logit, any other where
 * it reaches rescue_logit. With `fallback`, a page left with no good block keeps the blocks that
 * were good or near-good on their own. Probabilities (for the notes) take libm's exp, as math.exp
 * does. Why in C: these were a dozen numpy calls on small arrays a look. */
/* The eight running sums of relu(row + bias) * out_weights over the first `whole` columns (a multiple
 * of 8): lane by lane, so that the compiler may keep them in vector registers (no reassociation). */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("tree-vectorize")))
#endif
static void
output_sums(const float *restrict row, const float *restrict bias, const float *restrict out_weights,
            Py_ssize_t whole, float *restrict sums)
{
    float acc[8];
    for (int lane = 0; lane < 8; lane++) {
        float active = row[lane] + bias[lane];
        acc[lane] = (active > 0.0f ? active : 0.0f) * out_weights[lane];
    }
    for (Py_ssize_t c = 8; c < whole; c += 8)
        for (int lane = 0; lane < 8; lane++) {
            float active = row[c + lane] + bias[c + lane];
            acc[lane] += (active > 0.0f ? active : 0.0f) * out_weights[c + lane];
        }
    for (int lane = 0; lane < 8; lane++)
        sums[lane] = acc[lane];
}

/* One block's logit from its hidden row (block_model.logits_of, digit for digit): eight running sums
 * over whole chunks of eight columns, the last partial chunk's missing columns adding 0. */
static double
row_logit(const float *row, const float *bias, const float *out_weights, Py_ssize_t width, double out_bias)
{
    Py_ssize_t whole = width / 8 * 8;
    float sums[8];
    if (whole)
        output_sums(row, bias, out_weights, whole, sums);
    if (whole < width) {
        for (int lane = 0; lane < 8; lane++) {
            Py_ssize_t j = whole + lane;
            float active = j < width ? row[j] + bias[j] : 0.0f;
            float term = j < width ? (active > 0.0f ? active : 0.0f) * out_weights[j] : 0.0f;
            sums[lane] = whole ? sums[lane] + term : term;
        }
    }
    float pairs[4], halves[2];
    for (int lane = 0; lane < 4; lane++)
        pairs[lane] = sums[lane] + sums[lane + 4];
    halves[0] = pairs[0] + pairs[2];
    halves[1] = pairs[1] + pairs[3];
    return (double)(halves[0] + halves[1]) + out_bias;
}

PyObject *
model_verdicts(PyObject *self, PyObject *args)
{
    Py_buffer hidden_buf, bias_buf, out_buf, first_buf, final_buf;
    double out_bias, keep_logit, rescue_logit;
    int fallback;
    if (!PyArg_ParseTuple(args, "y*y*y*dy*y*ddp", &hidden_buf, &bias_buf, &out_buf, &out_bias, &first_buf,
                          &final_buf, &keep_logit, &rescue_logit, &fallback))
        return NULL;
    PyObject *result = NULL, *final_b = NULL, *chances_b = NULL;
    Py_ssize_t n = first_buf.len, width = bias_buf.len / (Py_ssize_t)sizeof(float);
    if (final_buf.len != n || out_buf.len != bias_buf.len || bias_buf.len % (Py_ssize_t)sizeof(float) || !width ||
        hidden_buf.len != n * width * (Py_ssize_t)sizeof(float)) {
        PyErr_SetString(PyExc_ValueError, "model_verdicts: arguments of different sizes");
        goto done;
    }
    final_b = PyBytes_FromStringAndSize(NULL, n);
    chances_b = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(double));
    if (!final_b || !chances_b)
        goto done;
    const float *hidden = hidden_buf.buf, *bias = bias_buf.buf, *out_weights = out_buf.buf;
    const uint8_t *first = first_buf.buf, *final_in = final_buf.buf;
    uint8_t *final = (uint8_t *)PyBytes_AS_STRING(final_b);
    double *chances = (double *)PyBytes_AS_STRING(chances_b);
    int any_good = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        double logit = row_logit(hidden + k * width, bias, out_weights, width, out_bias);
        final[k] = logit >= (final_in[k] == GOOD ? keep_logit : rescue_logit) ? GOOD : BAD;
        any_good |= final[k] == GOOD;
        double clipped = logit < -40.0 ? -40.0 : (logit > 40.0 ? 40.0 : logit);
        chances[k] = 1.0 / (1.0 + exp(-clipped));
    }
    if (fallback && !any_good)
        for (Py_ssize_t k = 0; k < n; k++)
            if (first[k] == GOOD || first[k] == NEARGOOD)
                final[k] = GOOD;
    result = PyTuple_Pack(2, final_b, chances_b);
done:
    Py_XDECREF(final_b);
    Py_XDECREF(chances_b);
    PyBuffer_Release(&hidden_buf);
    PyBuffer_Release(&bias_buf);
    PyBuffer_Release(&out_buf);
    PyBuffer_Release(&first_buf);
    PyBuffer_Release(&final_buf);
    return result;
}

/* context_rows(hidden, bias, out_weights, out_bias, features, width) -> bytes: the context model's input
 * (BlockModel.deciding_layer): each row of `features` (n rows of `width` float64) followed by the
 * block_model.context_features of the first model's logits, which come from `hidden` (its hidden
 * layer before its bias, float32) as model_verdicts computes them. Digit for digit numpy's: the shares
 * are ratios of whole counts. Keep the constants equal to block_model's _CONTEXT_* ones. */
#define CONTEXT_REACH 5   /* neighbours on each side */
#define CONTEXT_WINDOW 10 /* blocks before and after for the good shares */
#define CONTEXT_CLIP 9.0
#define CONTEXT_COLUMNS (2 * CONTEXT_REACH + 5)

PyObject *
context_rows(PyObject *self, PyObject *args)
{
    Py_buffer hidden_buf, bias_buf, out_buf, features_buf;
    double out_bias;
    Py_ssize_t width;
    if (!PyArg_ParseTuple(args, "y*y*y*dy*n", &hidden_buf, &bias_buf, &out_buf, &out_bias, &features_buf, &width))
        return NULL;
    PyObject *result = NULL;
    double *logits = NULL, *good = NULL;
    Py_ssize_t units = bias_buf.len / (Py_ssize_t)sizeof(float);
    Py_ssize_t n = width > 0 ? features_buf.len / (width * (Py_ssize_t)sizeof(double)) : -1;
    if (width <= 0 || features_buf.len != n * width * (Py_ssize_t)sizeof(double) || out_buf.len != bias_buf.len ||
        bias_buf.len % (Py_ssize_t)sizeof(float) || !units || hidden_buf.len != n * units * (Py_ssize_t)sizeof(float)) {
        PyErr_SetString(PyExc_ValueError, "context_rows: arguments of different sizes");
        goto done;
    }
    Py_ssize_t out_width = width + CONTEXT_COLUMNS;
    result = PyBytes_FromStringAndSize(NULL, n * out_width * (Py_ssize_t)sizeof(double));
    logits = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(double));
    good = PyMem_Malloc((size_t)(n + 1) * sizeof(double)); /* running count of good blocks before each */
    if (!result || !logits || !good) {
        Py_CLEAR(result);
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto done;
    }
    const float *hidden = hidden_buf.buf, *bias = bias_buf.buf, *out_weights = out_buf.buf;
    const double *features = features_buf.buf;
    double *out = (double *)PyBytes_AS_STRING(result);
    double highest = -CONTEXT_CLIP;
    good[0] = 0.0;
    for (Py_ssize_t k = 0; k < n; k++) {
        double logit = row_logit(hidden + k * units, bias, out_weights, units, out_bias);
        good[k + 1] = good[k] + (logit > 0.0 ? 1.0 : 0.0);
        logits[k] = logit < -CONTEXT_CLIP ? -CONTEXT_CLIP : (logit > CONTEXT_CLIP ? CONTEXT_CLIP : logit);
        if (logits[k] > highest)
            highest = logits[k];
    }
    double total = good[n];
    for (Py_ssize_t k = 0; k < n; k++) {
        double *row = out + k * out_width;
        memcpy(row, features + k * width, (size_t)width * sizeof(double));
        double *context = row + width;
        int column = 0;
        for (int d = -CONTEXT_REACH; d <= CONTEXT_REACH; d++) {
            if (d == 0)
                continue;
            Py_ssize_t at = k + d;
            context[column++] = at >= 0 && at < n ? logits[at] : 0.0;
        }
        Py_ssize_t lo = k - CONTEXT_WINDOW > 0 ? k - CONTEXT_WINDOW : 0;
        Py_ssize_t hi = k + CONTEXT_WINDOW + 1 < n ? k + CONTEXT_WINDOW + 1 : n;
        context[column++] = (good[k] - good[lo]) / (double)(k - lo > 1 ? k - lo : 1);
        context[column++] = (good[hi] - good[k + 1]) / (double)(hi - k - 1 > 1 ? hi - k - 1 : 1);
        context[column++] = good[k] / (total > 1.0 ? total : 1.0);
        context[column++] = total / (double)n;
        context[column++] = highest;
    }
done:
    PyMem_Free(logits);
    PyMem_Free(good);
    PyBuffer_Release(&hidden_buf);
    PyBuffer_Release(&bias_buf);
    PyBuffer_Release(&out_buf);
    PyBuffer_Release(&features_buf);
    return result;
}
