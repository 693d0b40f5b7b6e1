/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/yaml_tree.c - stage 1 of the config loader: libyaml events to a tree of positioned nodes.
 *
 * Drives libyaml's event parser and builds one node per scalar, sequence or mapping, each with
 * the 1-based line:col of its first character. It refuses what no config needs (anchors,
 * aliases, tags, more than one document) and bounds what it accepts (YTREE_FILE_MAX bytes in,
 * SCALAR_MAX bytes per scalar, DEPTH_MAX levels, NODES_MAX nodes) so the schema stage only ever
 * walks plain data of bounded size, and its recursion is bounded too.
 *
 * Invariants: the first error is the only one recorded, and on error nothing stays allocated.
 * Knows no schema and no file name. Called on the main lcore at startup; keeps no global state.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "conf/yaml_tree.h"

#define SCALAR_MAX 4096	      /* bytes in one scalar */
#define DEPTH_MAX  16	      /* nested sequences/mappings, the top level counts as one */
#define NODES_MAX  (1u << 18) /* bounds tree memory; 4096 routes need about 30000 nodes */

struct reader {
	struct node *stack[DEPTH_MAX];
	unsigned int depth;
	unsigned int docs;
	unsigned int n_nodes;
	struct node *root;
	struct ytree_err *err;
};

/* ---- errors ---- */

static int vfail(struct reader *r, unsigned int line, unsigned int col, int rc, const char *fmt,
		 va_list ap) __attribute__((format(printf, 5, 0)));
static int fail_at(struct reader *r, unsigned int line, unsigned int col, int rc, const char *fmt,
		   ...) __attribute__((format(printf, 5, 6)));
static int fail(struct reader *r, const struct node *n, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail_ev(struct reader *r, const yaml_event_t *ev, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int vfail(struct reader *r, unsigned int line, unsigned int col, int rc, const char *fmt,
		 va_list ap)
{
	struct ytree_err *e = r->err;

	if (e->rc != 0)
		return rc;
	e->line = line;
	e->col = col;
	e->rc = rc;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return rc;
}

static int fail_at(struct reader *r, unsigned int line, unsigned int col, int rc, const char *fmt,
		   ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = vfail(r, line, col, rc, fmt, ap);
	va_end(ap);
	return rc;
}

static int fail(struct reader *r, const struct node *n, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = vfail(r, n->line, n->col, rc, fmt, ap);
	va_end(ap);
	return rc;
}

/* An error at the position of a libyaml event, before any node exists for it. */
static int fail_ev(struct reader *r, const yaml_event_t *ev, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = vfail(r, (unsigned int)ev->start_mark.line + 1,
		   (unsigned int)ev->start_mark.column + 1, rc, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- events to nodes ---- */

void ytree_free(struct node *n)
{
	while (n != NULL) {
		struct node *next = n->next;

		ytree_free(n->first); /* depth is bounded by DEPTH_MAX */
		if (n->str != NULL)
			explicit_bzero(n->str, n->len); /* scalars may be keys */
		free(n->str);
		free(n);
		n = next;
	}
}

static int node_add(struct reader *r, const yaml_event_t *ev, enum node_kind kind,
		    struct node **out)
{
	struct node *n;

	/* libyaml gives one root per document and documents are limited to one; check anyway. */
	if (r->depth == 0 && r->root != NULL)
		return fail_ev(r, ev, -EINVAL, "more than one top-level node");
	if (++r->n_nodes > NODES_MAX)
		return fail_ev(r, ev, -E2BIG, "more than %u YAML nodes", NODES_MAX);
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return fail_at(r, 1, 1, -ENOMEM, "out of memory");
	n->kind = kind;
	n->line = (unsigned int)ev->start_mark.line + 1;
	n->col = (unsigned int)ev->start_mark.column + 1;
	if (r->depth == 0) {
		r->root = n;
	} else {
		struct node *p = r->stack[r->depth - 1];

		if (p->last != NULL)
			p->last->next = n;
		else
			p->first = n;
		p->last = n;
		p->n++;
	}
	*out = n;
	return 0;
}

/* Anchors and tags ride on every node event; refusing them here keeps the tree plain. */
static int check_props(struct reader *r, const yaml_event_t *ev, const yaml_char_t *anchor,
		       const yaml_char_t *tag)
{
	if (anchor != NULL)
		return fail_ev(r, ev, -EINVAL, "anchors and aliases are not supported");
	if (tag != NULL)
		return fail_ev(r, ev, -EINVAL, "explicit tags are not supported");
	return 0;
}

static int on_scalar(struct reader *r, const yaml_event_t *ev)
{
	size_t len = ev->data.scalar.length;
	struct node *n = NULL; /* set by node_add on success; gcc -O3 cannot see that */
	int rc;

	rc = check_props(r, ev, ev->data.scalar.anchor, ev->data.scalar.tag);
	if (rc < 0)
		return rc;
	rc = node_add(r, ev, NODE_SCALAR, &n);
	if (rc < 0)
		return rc;
	if (len > SCALAR_MAX)
		return fail(r, n, -E2BIG, "scalar longer than %u bytes", SCALAR_MAX);
	if (memchr(ev->data.scalar.value, '\0', len) != NULL)
		return fail(r, n, -EINVAL, "NUL character in a scalar");
	n->str = strndup((const char *)ev->data.scalar.value, len);
	if (n->str == NULL)
		return fail(r, n, -ENOMEM, "out of memory");
	n->len = len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return 0;
}

static int on_open(struct reader *r, const yaml_event_t *ev, enum node_kind kind)
{
	const yaml_char_t *anchor, *tag;
	struct node *n = NULL;
	int rc;

	if (kind == NODE_SEQ) {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	} else {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	}
	rc = check_props(r, ev, anchor, tag);
	if (rc < 0)
		return rc;
	if (r->depth == DEPTH_MAX)
		return fail_ev(r, ev, -E2BIG, "nesting deeper than %u levels", DEPTH_MAX);
	rc = node_add(r, ev, kind, &n);
	if (rc < 0)
		return rc;
	r->stack[r->depth++] = n;
	return 0;
}

static int on_event(struct reader *r, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (r->docs++ > 0)
			return fail_ev(r, ev, -EINVAL, "multiple documents are not supported");
		return 0;
	case YAML_ALIAS_EVENT:
		return fail_ev(r, ev, -EINVAL, "anchors and aliases are not supported");
	case YAML_SCALAR_EVENT:
		return on_scalar(r, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_open(r, ev, NODE_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_open(r, ev, NODE_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (r->depth > 0) /* libyaml only emits balanced events */
			r->depth--;
		return 0;
	default:
		return 0;
	}
}

/* ---- libyaml driver ---- */

/* libyaml's reader reports a byte offset instead of a mark; turn it into line:col. */
static void offset_pos(const char *buf, size_t len, size_t off, unsigned int *line,
		       unsigned int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int syntax_error(struct reader *r, const yaml_parser_t *p, const char *buf, size_t len)
{
	const char *problem = p->problem != NULL ? p->problem : "syntax error";
	unsigned int line = (unsigned int)p->problem_mark.line + 1;
	unsigned int col = (unsigned int)p->problem_mark.column + 1;

	if (p->error == YAML_MEMORY_ERROR)
		return fail_at(r, 1, 1, -ENOMEM, "out of memory while parsing");
	if (p->error == YAML_READER_ERROR) {
		offset_pos(buf, len, p->problem_offset, &line, &col);
		return fail_at(r, line, col, -EINVAL, "%s", problem);
	}
	if (p->context == NULL)
		return fail_at(r, line, col, -EINVAL, "%s", problem);
	return fail_at(r, line, col, -EINVAL, "%s (%s at %u:%u)", problem, p->context,
		       (unsigned int)p->context_mark.line + 1,
		       (unsigned int)p->context_mark.column + 1);
}

/* Scalars may be ESP keys: wipe libyaml's copies of the text before it frees them. */
static void wipe_event(yaml_event_t *ev)
{
	if (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.value != NULL)
		explicit_bzero(ev->data.scalar.value, ev->data.scalar.length);
}

static void wipe_parser(yaml_parser_t *p)
{
	if (p->buffer.start != NULL)
		explicit_bzero(p->buffer.start, (size_t)(p->buffer.end - p->buffer.start));
	if (p->raw_buffer.start != NULL)
		explicit_bzero(p->raw_buffer.start,
			       (size_t)(p->raw_buffer.end - p->raw_buffer.start));
}

/* Feed every event to on_event() until the stream ends or one of them fails. */
static int parse(struct reader *r, const char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	bool done = false;
	int rc = 0;

	if (!yaml_parser_initialize(&parser))
		return fail_at(r, 1, 1, -ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (rc == 0 && !done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = syntax_error(r, &parser, buf, len);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(r, &ev);
		wipe_event(&ev);
		yaml_event_delete(&ev);
	}
	wipe_parser(&parser);
	yaml_parser_delete(&parser);
	return rc;
}

int ytree_read(const char *buf, size_t len, struct node **root, struct ytree_err *err)
{
	struct reader r = {.err = err};
	int rc;

	*err = (struct ytree_err){.rc = 0};
	*root = NULL;
	if (buf == NULL || len == 0)
		return fail_at(&r, 1, 1, -EINVAL, "empty file: no YAML document");
	if (len > YTREE_FILE_MAX)
		return fail_at(&r, 1, 1, -EFBIG, "larger than %u bytes", YTREE_FILE_MAX);
	rc = parse(&r, buf, len);
	if (rc == 0 && r.root == NULL)
		rc = fail_at(&r, 1, 1, -EINVAL, "empty file: no YAML document");
	if (rc < 0) {
		ytree_free(r.root);
		return rc;
	}
	*root = r.root;
	return 0;
}
