/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/json.c - strict recursive-descent JSON parser (RFC 8259), tree helpers and writer.
 *
 * The input is whatever a telemetry socket returned, so it is distrusted: every read is bounded
 * by the input length (the text need not be NUL-terminated), recursion stops at JSON_MAX_DEPTH,
 * allocation stops at JSON_MAX_NODES nodes, and a failed parse frees everything it built.
 * Strings are decoded into buffers no longer than their raw text, because no escape expands.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/json.h"

_Static_assert(sizeof(long long) == sizeof(int64_t), "strtoll must cover int64_t");

struct json {
	enum json_type type;
	char *key;	   /* member name inside an object, else NULL */
	struct json *next; /* next member or element of the parent */
	union {
		bool b;
		int64_t i;
		uint64_t u;
		double d;
		char *s;
		struct {
			struct json *head;
			struct json *tail;
			size_t n;
		} kids;
	} v;
};

struct parser {
	const unsigned char *s;
	size_t len;
	size_t pos;
	size_t nodes;
	int rc;
	const char *msg;
	size_t err_at;
};

static int parse_value(struct parser *p, unsigned int depth, struct json **out);

/* Record the first failure only: inner errors are more precise than the ones they cause. */
static int fail(struct parser *p, int rc, const char *msg)
{
	if (p->rc == 0) {
		p->rc = rc;
		p->msg = msg;
		p->err_at = p->pos;
	}
	return p->rc;
}

static int peek(const struct parser *p)
{
	return p->pos < p->len ? p->s[p->pos] : -1;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->s[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		p->pos++;
	}
}

static struct json *node_new(struct parser *p, enum json_type type)
{
	if (p->nodes >= JSON_MAX_NODES) {
		fail(p, -E2BIG, "too many values");
		return NULL;
	}
	struct json *v = calloc(1, sizeof(*v));
	if (v == NULL) {
		fail(p, -ENOMEM, "out of memory");
		return NULL;
	}
	p->nodes++;
	v->type = type;
	return v;
}

static void link_kid(struct json *c, struct json *kid)
{
	kid->next = NULL;
	if (c->v.kids.tail == NULL)
		c->v.kids.head = kid;
	else
		c->v.kids.tail->next = kid;
	c->v.kids.tail = kid;
	c->v.kids.n++;
}

void json_free(struct json *v)
{
	if (v == NULL)
		return;
	if (v->type == JSON_ARRAY || v->type == JSON_OBJECT) {
		struct json *kid = v->v.kids.head;
		while (kid != NULL) {
			struct json *next = kid->next;
			json_free(kid);
			kid = next;
		}
	} else if (v->type == JSON_STRING) {
		free(v->v.s);
	}
	free(v->key);
	free(v);
}

static int parse_literal(struct parser *p, const char *word, enum json_type type, bool b,
			 struct json **out)
{
	size_t n = strlen(word);
	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
		return fail(p, -EINVAL, "invalid literal");
	struct json *v = node_new(p, type);
	if (v == NULL)
		return p->rc;
	v->v.b = b;
	p->pos += n;
	*out = v;
	return 0;
}

static size_t skip_digits(const struct parser *p, size_t i)
{
	while (i < p->len && is_digit(p->s[i]))
		i++;
	return i;
}

/* Walk the RFC 8259 section 6 number grammar; leave pos after the literal. */
static int scan_number(struct parser *p, bool *integral)
{
	size_t i = p->pos;
	*integral = true;
	if (i < p->len && p->s[i] == '-')
		i++;
	if (i >= p->len || !is_digit(p->s[i])) {
		p->pos = i;
		return fail(p, -EINVAL, "invalid number");
	}
	if (p->s[i] == '0' && i + 1 < p->len && is_digit(p->s[i + 1])) {
		p->pos = i;
		return fail(p, -EINVAL, "leading zero in number");
	}
	i = skip_digits(p, i);
	if (i < p->len && p->s[i] == '.') {
		*integral = false;
		if (++i >= p->len || !is_digit(p->s[i])) {
			p->pos = i;
			return fail(p, -EINVAL, "digit expected after decimal point");
		}
		i = skip_digits(p, i);
	}
	if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
		*integral = false;
		if (++i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		if (i >= p->len || !is_digit(p->s[i])) {
			p->pos = i;
			return fail(p, -EINVAL, "digit expected in exponent");
		}
		i = skip_digits(p, i);
	}
	p->pos = i;
	return 0;
}

/* An integer literal as int64/uint64; false when it does not fit and must become a double. */
static bool to_integer(const char *tok, struct json *v)
{
	errno = 0;
	if (tok[0] == '-') {
		long long x = strtoll(tok, NULL, 10);
		if (errno == ERANGE)
			return false;
		/* "-0" is zero, and zero is unsigned here. */
		v->type = x < 0 ? JSON_INT : JSON_UINT;
		if (x < 0)
			v->v.i = x;
		else
			v->v.u = 0;
		return true;
	}
	unsigned long long x = strtoull(tok, NULL, 10);
	if (errno == ERANGE)
		return false;
	v->type = JSON_UINT;
	v->v.u = x;
	return true;
}

static int parse_number(struct parser *p, struct json **out)
{
	char tok[JSON_MAX_NUMBER + 1];
	size_t start = p->pos;
	bool integral;
	int rc = scan_number(p, &integral);
	if (rc != 0)
		return rc;
	size_t n = p->pos - start;
	if (n > JSON_MAX_NUMBER) {
		p->pos = start;
		return fail(p, -E2BIG, "number literal too long");
	}
	/* strtod needs a terminated copy: the input itself may continue with digits past len. */
	memcpy(tok, p->s + start, n);
	tok[n] = '\0';
	struct json *v = node_new(p, JSON_DOUBLE);
	if (v == NULL)
		return p->rc;
	if (!integral || !to_integer(tok, v)) {
		v->type = JSON_DOUBLE;
		v->v.d = strtod(tok, NULL);
		if (isinf(v->v.d)) {
			free(v);
			p->pos = start;
			return fail(p, -EINVAL, "number out of range");
		}
	}
	*out = v;
	return 0;
}

/* Length of the well-formed UTF-8 sequence at s[0..n) per RFC 3629 section 4, or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t len;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and code points past Unicode are not characters. */
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static size_t utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The four hex digits of a \u escape at p->s[at..end); false when they are not there. */
static bool hex4(const struct parser *p, size_t at, size_t end, uint32_t *out)
{
	uint32_t x = 0;
	if (end < at || end - at < 4)
		return false;
	for (size_t i = at; i < at + 4; i++) {
		unsigned char c = p->s[i];
		uint32_t d;
		if (is_digit(c))
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		x = (x << 4) | d;
	}
	*out = x;
	return true;
}

/* \uXXXX at p->pos, joined with a following low surrogate (RFC 8259 section 7). */
static int decode_unicode(struct parser *p, size_t end, char *buf, size_t *n)
{
	uint32_t cp, lo;
	if (!hex4(p, p->pos + 2, end, &cp))
		return fail(p, -EINVAL, "invalid \\u escape");
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(p, -EINVAL, "lone low surrogate");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		size_t at = p->pos + 6;
		if (end - at < 6 || p->s[at] != '\\' || p->s[at + 1] != 'u' ||
		    !hex4(p, at + 2, end, &lo) || lo < 0xdc00 || lo > 0xdfff)
			return fail(p, -EINVAL, "lone high surrogate");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		p->pos += 6;
	}
	/* Embedded NUL would silently cut every C string made from this value. */
	if (cp == 0)
		return fail(p, -EINVAL, "NUL in string");
	*n += utf8_put(cp, buf + *n);
	p->pos += 6;
	return 0;
}

static int decode_escape(struct parser *p, size_t end, char *buf, size_t *n)
{
	static const char from[] = "\"\\/bfnrt";
	static const char to[] = "\"\\/\b\f\n\r\t";
	/* string_extent() guarantees the escaped byte lies before the closing quote. */
	unsigned char c = p->s[p->pos + 1];
	const char *hit = c != '\0' ? strchr(from, c) : NULL;
	if (hit != NULL) {
		buf[(*n)++] = to[hit - from];
		p->pos += 2;
		return 0;
	}
	if (c != 'u')
		return fail(p, -EINVAL, "invalid escape");
	return decode_unicode(p, end, buf, n);
}

/* Find the closing quote of the string opening at p->pos, refusing raw control characters. */
static int string_extent(struct parser *p, size_t *end)
{
	size_t i = p->pos + 1;
	while (i < p->len) {
		unsigned char c = p->s[i];
		if (c == '"') {
			*end = i;
			return 0;
		}
		if (c < 0x20) {
			p->pos = i;
			return fail(p, -EINVAL, "control character in string");
		}
		i += c == '\\' ? 2 : 1;
	}
	return fail(p, -EINVAL, "unterminated string");
}

static int parse_string(struct parser *p, char **out)
{
	size_t end = 0, n = 0;
	int rc = string_extent(p, &end);
	if (rc != 0)
		return rc;
	char *buf = malloc(end - p->pos); /* raw length + NUL */
	if (buf == NULL)
		return fail(p, -ENOMEM, "out of memory");
	p->pos++;
	while (p->pos < end && rc == 0) {
		if (p->s[p->pos] == '\\') {
			rc = decode_escape(p, end, buf, &n);
			continue;
		}
		size_t k = utf8_seq(p->s + p->pos, end - p->pos);
		if (k == 0) {
			rc = fail(p, -EINVAL, "invalid UTF-8 in string");
			break;
		}
		memcpy(buf + n, p->s + p->pos, k);
		n += k;
		p->pos += k;
	}
	if (rc != 0) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	p->pos = end + 1;
	*out = buf;
	return 0;
}

static int parse_string_value(struct parser *p, struct json **out)
{
	char *s;
	int rc = parse_string(p, &s);
	if (rc != 0)
		return rc;
	struct json *v = node_new(p, JSON_STRING);
	if (v == NULL) {
		free(s);
		return p->rc;
	}
	v->v.s = s;
	*out = v;
	return 0;
}

/* After a member or element: 1 when the container closed, 0 after a comma, else an error. */
static int next_item(struct parser *p, int close)
{
	skip_ws(p);
	int c = peek(p);
	if (c == close) {
		p->pos++;
		return 1;
	}
	if (c != ',')
		return fail(p, -EINVAL,
			    close == ']' ? "expected ',' or ']'" : "expected ',' or '}'");
	p->pos++;
	skip_ws(p);
	c = peek(p);
	if (c == ']' || c == '}')
		return fail(p, -EINVAL, "trailing comma");
	return 0;
}

/* Open a container at p->pos: the node, or NULL with p->rc set; *empty when closed at once. */
static struct json *open_container(struct parser *p, unsigned int depth, enum json_type type,
				   bool *empty)
{
	if (depth > JSON_MAX_DEPTH) {
		fail(p, -E2BIG, "nested too deeply");
		return NULL;
	}
	struct json *c = node_new(p, type);
	if (c == NULL)
		return NULL;
	p->pos++;
	skip_ws(p);
	*empty = peek(p) == (type == JSON_ARRAY ? ']' : '}');
	if (*empty)
		p->pos++;
	return c;
}

static int parse_array(struct parser *p, unsigned int depth, struct json **out)
{
	bool empty;
	struct json *a = open_container(p, depth, JSON_ARRAY, &empty);
	if (a == NULL)
		return p->rc;
	int rc = empty ? 1 : 0;
	while (rc == 0) {
		struct json *e;
		rc = parse_value(p, depth, &e);
		if (rc != 0)
			break;
		link_kid(a, e);
		rc = next_item(p, ']');
	}
	if (rc < 0) {
		json_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	const struct json *x = *(const struct json *const *)a;
	const struct json *y = *(const struct json *const *)b;
	return strcmp(x->key, y->key);
}

/* RFC 8259 section 4 only says names SHOULD be unique; we insist, so lookups are unambiguous. */
static int check_unique(struct parser *p, const struct json *obj)
{
	size_t n = obj->v.kids.n, i = 0;
	if (n < 2)
		return 0;
	const struct json **k = malloc(n * sizeof(*k));
	if (k == NULL)
		return fail(p, -ENOMEM, "out of memory");
	for (const struct json *m = obj->v.kids.head; m != NULL; m = m->next)
		k[i++] = m;
	qsort(k, n, sizeof(*k), cmp_key);
	int rc = 0;
	for (i = 1; i < n && rc == 0; i++)
		if (strcmp(k[i - 1]->key, k[i]->key) == 0)
			rc = fail(p, -EINVAL, "duplicate key");
	free(k);
	return rc;
}

static int parse_member(struct parser *p, unsigned int depth, struct json *obj)
{
	char *key;
	struct json *v;
	if (peek(p) != '"')
		return fail(p, -EINVAL, "expected string key");
	int rc = parse_string(p, &key);
	if (rc != 0)
		return rc;
	skip_ws(p);
	if (peek(p) != ':') {
		free(key);
		return fail(p, -EINVAL, "expected ':'");
	}
	p->pos++;
	rc = parse_value(p, depth, &v);
	if (rc != 0) {
		free(key);
		return rc;
	}
	v->key = key;
	link_kid(obj, v);
	return 0;
}

static int parse_object(struct parser *p, unsigned int depth, struct json **out)
{
	bool empty;
	struct json *o = open_container(p, depth, JSON_OBJECT, &empty);
	if (o == NULL)
		return p->rc;
	int rc = empty ? 1 : 0;
	while (rc == 0) {
		rc = parse_member(p, depth, o);
		if (rc == 0)
			rc = next_item(p, '}');
	}
	if (rc > 0)
		rc = check_unique(p, o);
	if (rc < 0) {
		json_free(o);
		return rc;
	}
	*out = o;
	return 0;
}

static int parse_value(struct parser *p, unsigned int depth, struct json **out)
{
	skip_ws(p);
	int c = peek(p);
	switch (c) {
	case -1:
		return fail(p, -EINVAL, "unexpected end of input");
	case '{':
		return parse_object(p, depth + 1, out);
	case '[':
		return parse_array(p, depth + 1, out);
	case '"':
		return parse_string_value(p, out);
	case 't':
		return parse_literal(p, "true", JSON_BOOL, true, out);
	case 'f':
		return parse_literal(p, "false", JSON_BOOL, false, out);
	case 'n':
		return parse_literal(p, "null", JSON_NULL, false, out);
	default:
		if (c == '-' || is_digit(c))
			return parse_number(p, out);
		return fail(p, -EINVAL, "unexpected character");
	}
}

int json_parse(const char *text, size_t len, struct json **out, struct json_error *err)
{
	struct parser p = {.s = (const unsigned char *)text, .len = len};
	struct json *v = NULL;
	*out = NULL;
	if (len > JSON_MAX_INPUT) {
		fail(&p, -E2BIG, "input too large");
	} else {
		skip_ws(&p);
		if (p.pos == len)
			fail(&p, -EINVAL, "empty input");
		else if (parse_value(&p, 0, &v) == 0) {
			skip_ws(&p);
			if (p.pos != len)
				fail(&p, -EINVAL, "trailing characters after the value");
		}
	}
	if (p.rc != 0) {
		json_free(v);
		if (err != NULL) {
			err->offset = p.err_at;
			err->msg = p.msg;
		}
		return p.rc;
	}
	*out = v;
	return 0;
}

enum json_type json_type(const struct json *v)
{
	return v != NULL ? v->type : JSON_NULL;
}

static bool is_container(const struct json *v)
{
	return v != NULL && (v->type == JSON_ARRAY || v->type == JSON_OBJECT);
}

size_t json_count(const struct json *v)
{
	return is_container(v) ? v->v.kids.n : 0;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (obj == NULL || obj->type != JSON_OBJECT || key == NULL)
		return NULL;
	for (const struct json *m = obj->v.kids.head; m != NULL; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

const struct json *json_first(const struct json *container)
{
	return is_container(container) ? container->v.kids.head : NULL;
}

const struct json *json_next(const struct json *m)
{
	return m != NULL ? m->next : NULL;
}

const char *json_key(const struct json *m)
{
	return m != NULL ? m->key : NULL;
}

int json_u64(const struct json *v, uint64_t *out)
{
	switch (json_type(v)) {
	case JSON_UINT:
		*out = v->v.u;
		return 0;
	case JSON_INT:
	case JSON_DOUBLE:
		return -ERANGE;
	default:
		return -EINVAL;
	}
}

int json_i64(const struct json *v, int64_t *out)
{
	switch (json_type(v)) {
	case JSON_INT:
		*out = v->v.i;
		return 0;
	case JSON_UINT:
		if (v->v.u > INT64_MAX)
			return -ERANGE;
		*out = (int64_t)v->v.u;
		return 0;
	case JSON_DOUBLE:
		return -ERANGE;
	default:
		return -EINVAL;
	}
}

int json_double(const struct json *v, double *out)
{
	switch (json_type(v)) {
	case JSON_INT:
		*out = (double)v->v.i;
		return 0;
	case JSON_UINT:
		*out = (double)v->v.u;
		return 0;
	case JSON_DOUBLE:
		*out = v->v.d;
		return 0;
	default:
		return -EINVAL;
	}
}

int json_bool(const struct json *v, bool *out)
{
	if (json_type(v) != JSON_BOOL)
		return -EINVAL;
	*out = v->v.b;
	return 0;
}

const char *json_str(const struct json *v)
{
	return v != NULL && v->type == JSON_STRING ? v->v.s : NULL;
}

uint64_t json_get_u64(const struct json *obj, const char *key, uint64_t dflt)
{
	uint64_t x;
	return json_u64(json_get(obj, key), &x) == 0 ? x : dflt;
}

const char *json_get_str(const struct json *obj, const char *key, const char *dflt)
{
	const char *s = json_str(json_get(obj, key));
	return s != NULL ? s : dflt;
}

struct json *json_new_object(void)
{
	struct json *o = calloc(1, sizeof(*o));
	if (o != NULL)
		o->type = JSON_OBJECT;
	return o;
}

struct json *json_take_first(struct json *container)
{
	if (!is_container(container) || container->v.kids.head == NULL)
		return NULL;
	struct json *m = container->v.kids.head;
	container->v.kids.head = m->next;
	if (container->v.kids.head == NULL)
		container->v.kids.tail = NULL;
	container->v.kids.n--;
	m->next = NULL;
	return m;
}

int json_append(struct json *obj, struct json *member, const char *key)
{
	const char *name = key != NULL ? key : json_key(member);
	if (obj == NULL || obj->type != JSON_OBJECT || member == NULL || name == NULL)
		return -EINVAL;
	if (json_get(obj, name) != NULL)
		return -EEXIST;
	if (key != NULL) {
		char *dup = strdup(key);
		if (dup == NULL)
			return -ENOMEM;
		free(member->key);
		member->key = dup;
	}
	link_kid(obj, member);
	return 0;
}

static void write_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		const char *esc = NULL;
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		default:
			break;
		}
		if (esc != NULL)
			fputs(esc, out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/*
 * Shortest of %.15g/%.17g that reads back as the same double, always with a fraction or an
 * exponent so that it reads back as a double too ("-0" would come back as the integer 0).
 */
static void write_double(FILE *out, double d)
{
	char buf[40];
	snprintf(buf, sizeof(buf), "%.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, sizeof(buf), "%.17g", d);
	fputs(buf, out);
	if (strpbrk(buf, ".e") == NULL)
		fputs(".0", out);
}

static void write_value(FILE *out, const struct json *v, unsigned int indent, unsigned int level);

static void write_newline(FILE *out, unsigned int indent, unsigned int level)
{
	if (indent == 0)
		return;
	fputc('\n', out);
	fprintf(out, "%*s", (int)(indent * level), "");
}

/* Recursion follows the tree, which a parse bounds to JSON_MAX_DEPTH. */
static void write_container(FILE *out, const struct json *c, unsigned int indent,
			    unsigned int level)
{
	bool obj = c->type == JSON_OBJECT;
	fputc(obj ? '{' : '[', out);
	for (const struct json *m = c->v.kids.head; m != NULL; m = m->next) {
		write_newline(out, indent, level + 1);
		if (obj) {
			write_string(out, m->key);
			fputs(indent != 0 ? ": " : ":", out);
		}
		write_value(out, m, indent, level + 1);
		if (m->next != NULL)
			fputc(',', out);
	}
	if (c->v.kids.n != 0)
		write_newline(out, indent, level);
	fputc(obj ? '}' : ']', out);
}

static void write_value(FILE *out, const struct json *v, unsigned int indent, unsigned int level)
{
	switch (v->type) {
	case JSON_NULL:
		fputs("null", out);
		break;
	case JSON_BOOL:
		fputs(v->v.b ? "true" : "false", out);
		break;
	case JSON_INT:
		fprintf(out, "%" PRId64, v->v.i);
		break;
	case JSON_UINT:
		fprintf(out, "%" PRIu64, v->v.u);
		break;
	case JSON_DOUBLE:
		write_double(out, v->v.d);
		break;
	case JSON_STRING:
		write_string(out, v->v.s);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		write_container(out, v, indent, level);
		break;
	}
}

int json_write(FILE *out, const struct json *v, unsigned int indent)
{
	if (v == NULL)
		fputs("null", out);
	else
		write_value(out, v, indent, 0);
	return ferror(out) ? -EIO : 0;
}
