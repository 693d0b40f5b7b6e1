/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/json.h - a small strict JSON (RFC 8259) parser, tree and writer for vpnhubctl.
 *
 * Invariants: a parsed tree never holds more than JSON_MAX_NODES nodes nor nests deeper than
 * JSON_MAX_DEPTH containers, and the input is at most JSON_MAX_INPUT bytes, so memory and
 * recursion are bounded by the input whatever the hub sends. Strings are valid UTF-8 without
 * NUL, so every string and key is a safe C string. Object members keep their input order and
 * keys are unique within an object. The tree is opaque: read it only through these helpers.
 */
#ifndef VPNHUB_APP_JSON_H
#define VPNHUB_APP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32
#define JSON_MAX_INPUT (1024 * 1024)
#define JSON_MAX_NODES 65536
/* Longest number literal accepted; longer ones cannot carry more precision than a double. */
#define JSON_MAX_NUMBER 255

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_INT,    /* a negative integer that fits int64_t */
	JSON_UINT,   /* a non-negative integer that fits uint64_t */
	JSON_DOUBLE, /* a fraction, an exponent or an integer too large for 64 bits */
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json;

/* Where and why a parse failed; msg is a static string. */
struct json_error {
	size_t offset;
	const char *msg;
};

/*
 * Parse exactly one JSON value from text[0..len) (NUL not required); whitespace may surround it,
 * anything else after it is an error. Returns 0 and *out, or -EINVAL (syntax, err says where),
 * -E2BIG (input, depth or node limit) or -ENOMEM. err may be NULL.
 */
int json_parse(const char *text, size_t len, struct json **out, struct json_error *err);

/* Free a tree (or a detached member); NULL is fine. */
void json_free(struct json *v);

enum json_type json_type(const struct json *v);
/* Members of an object or elements of an array; 0 for anything else. */
size_t json_count(const struct json *v);

/* The member of obj named key, or NULL when obj is not an object or has no such member. */
const struct json *json_get(const struct json *obj, const char *key);

/* First member/element of a container and the one after m, in input order; NULL at the end. */
const struct json *json_first(const struct json *container);
const struct json *json_next(const struct json *m);
/* The name of an object member, NULL for array elements and roots. */
const char *json_key(const struct json *m);

/* Scalar reads: 0 on success, -EINVAL when v is missing or of another type, -ERANGE when a
 * number does not fit. */
int json_u64(const struct json *v, uint64_t *out);
int json_i64(const struct json *v, int64_t *out);
int json_double(const struct json *v, double *out);
int json_bool(const struct json *v, bool *out);
/* The string of a JSON string, NULL for anything else. */
const char *json_str(const struct json *v);

/* Conveniences for optional members: the value of obj[key] or dflt. */
uint64_t json_get_u64(const struct json *obj, const char *key, uint64_t dflt);
const char *json_get_str(const struct json *obj, const char *key, const char *dflt);

/* Tree building, used to merge paged replies. */
struct json *json_new_object(void);
/* Unlink and return the first member/element of container (NULL if empty); the caller owns it. */
struct json *json_take_first(struct json *container);
/* Append a detached member to an object, renamed to key when key is not NULL.
 * 0, -EINVAL (not an object, no name, or name already present) or -ENOMEM. */
int json_append(struct json *obj, struct json *member, const char *key);

/* Write v as JSON: compact when indent is 0, else pretty with indent spaces per level.
 * 0 or -EIO. */
int json_write(FILE *out, const struct json *v, unsigned int indent);

#endif
