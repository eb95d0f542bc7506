/*
 * yaml_tree.c - build a struct ynode tree from libyaml's event stream.
 *
 * The tree is small on purpose: scalars keep their text and whether they
 * were quoted (a quoted "true" is a string, a plain true is a boolean);
 * mappings keep keys and values in one array.  Interpreting the values is
 * policy.c's job.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yaml_tree.h"

struct builder {
	const char *name;
	const char *buf;
	struct cb_error *err;
	struct ynode *root;
	struct ynode *stack[YTREE_MAX_DEPTH];
	int depth;
	int documents;
};

static struct ynode *
node_new(enum ynode_kind kind, const yaml_mark_t *mark)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (n != NULL) {
		n->kind = kind;
		n->line = (int)mark->line + 1;
		n->col = (int)mark->column + 1;
	}
	return n;
}

void
ytree_free(struct ynode *node)
{
	size_t i;

	if (node == NULL)
		return;
	for (i = 0; i < node->n; i++)
		ytree_free(node->items[i]);
	free(node->items);
	free(node->text);
	free(node);
}

static int
fail_at(struct builder *b, const yaml_mark_t *mark, const char *msg)
{
	return cb_error_set(b->err, b->name, (int)mark->line + 1,
	    (int)mark->column + 1, "%s", msg);
}

/* Line and column of a byte offset, for reader errors that carry no mark. */
static void
offset_position(const char *buf, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
			(*col)++;   /* count characters, not UTF-8 bytes */
		}
	}
}

/*
 * libyaml reports a bad trailing octet at that octet; point at the start
 * of the broken sequence instead, which is the character a person sees.
 */
static size_t
sequence_start(const char *buf, size_t off)
{
	size_t s = off;

	while (s > 0 && ((unsigned char)buf[s - 1] & 0xC0) == 0x80)
		s--;
	if (s > 0 && (unsigned char)buf[s - 1] >= 0xC0)
		return s - 1;
	return off;
}

static int
parser_failure(struct builder *b, const yaml_parser_t *p, size_t len)
{
	const char *problem = p->problem ? p->problem : "malformed YAML";
	int line, col;

	if (p->error == YAML_READER_ERROR) {
		/* libyaml says e.g. "invalid leading UTF-8 octet" here. */
		size_t off = p->problem_offset < len ? p->problem_offset : len;

		offset_position(b->buf, sequence_start(b->buf, off), &line, &col);
		return cb_error_set(b->err, b->name, line, col,
		    "%s (the policy must be UTF-8 text)", problem);
	}
	if (p->error == YAML_MEMORY_ERROR)
		return cb_error_set(b->err, b->name, 0, 0, "out of memory");
	if (p->context != NULL)
		return cb_error_set(b->err, b->name,
		    (int)p->problem_mark.line + 1,
		    (int)p->problem_mark.column + 1, "%s %s", p->context,
		    problem);
	return fail_at(b, &p->problem_mark, problem);
}

static int
append(struct ynode *parent, struct ynode *child)
{
	struct ynode **items;

	items = realloc(parent->items, (parent->n + 1) * sizeof(*items));
	if (items == NULL)
		return -1;
	items[parent->n++] = child;
	parent->items = items;
	return 0;
}

/* Hang a new node under the open container, or make it the root. */
static int
attach(struct builder *b, struct ynode *node, const yaml_mark_t *mark)
{
	struct ynode *parent;

	if (b->depth == 0) {
		b->root = node;
		return 0;
	}
	parent = b->stack[b->depth - 1];
	if (parent->kind == YNODE_MAP && parent->n % 2 == 0 &&
	    node->kind != YNODE_SCALAR) {
		ytree_free(node);
		return fail_at(b, mark, "a mapping key must be a plain name");
	}
	if (append(parent, node) != 0) {
		ytree_free(node);
		return cb_error_set(b->err, b->name, 0, 0, "out of memory");
	}
	return 0;
}

static int
on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct ynode *n;

	if (ev->data.scalar.anchor != NULL)
		return fail_at(b, &ev->start_mark,
		    "anchors (&name) are not allowed in a policy");
	if (ev->data.scalar.tag != NULL)
		return fail_at(b, &ev->start_mark,
		    "tags (!name) are not allowed in a policy");
	/*
	 * "\0" is a valid YAML escape, but every consumer of a scalar takes
	 * it as a C string and would see it cut short there.
	 */
	if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length) != NULL)
		return fail_at(b, &ev->start_mark,
		    "a NUL character (\\0) is not allowed in a policy");
	n = node_new(YNODE_SCALAR, &ev->start_mark);
	if (n == NULL ||
	    (n->text = malloc(ev->data.scalar.length + 1)) == NULL) {
		ytree_free(n);
		return cb_error_set(b->err, b->name, 0, 0, "out of memory");
	}
	memcpy(n->text, ev->data.scalar.value, ev->data.scalar.length);
	n->text[ev->data.scalar.length] = '\0';
	n->len = ev->data.scalar.length;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return attach(b, n, &ev->start_mark);
}

static int
on_open(struct builder *b, const yaml_event_t *ev, enum ynode_kind kind,
    const yaml_char_t *anchor, const yaml_char_t *tag)
{
	struct ynode *n;

	if (anchor != NULL)
		return fail_at(b, &ev->start_mark,
		    "anchors (&name) are not allowed in a policy");
	if (tag != NULL)
		return fail_at(b, &ev->start_mark,
		    "tags (!name) are not allowed in a policy");
	if (b->depth == YTREE_MAX_DEPTH)
		return cb_error_set(b->err, b->name,
		    (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
		    "nesting is deeper than a policy allows (%d levels)",
		    YTREE_MAX_DEPTH);
	n = node_new(kind, &ev->start_mark);
	if (n == NULL)
		return cb_error_set(b->err, b->name, 0, 0, "out of memory");
	if (attach(b, n, &ev->start_mark) != 0)
		return -1;
	b->stack[b->depth++] = n;
	return 0;
}

/* Handle one event; 1 at the end of the stream, 0 to go on, -1 on error. */
static int
on_event(struct builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->documents > 1)
			return fail_at(b, &ev->start_mark,
			    "a policy file holds one YAML document");
		return 0;
	case YAML_ALIAS_EVENT:
		return fail_at(b, &ev->start_mark,
		    "aliases (*name) are not allowed in a policy");
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_open(b, ev, YNODE_SEQ, ev->data.sequence_start.anchor,
		    ev->data.sequence_start.tag);
	case YAML_MAPPING_START_EVENT:
		return on_open(b, ev, YNODE_MAP, ev->data.mapping_start.anchor,
		    ev->data.mapping_start.tag);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		b->depth--;
		return 0;
	case YAML_STREAM_END_EVENT:
		return 1;
	default:
		return 0;
	}
}

/*
 * libyaml picks its encoding from a byte order mark alone (no mark is
 * UTF-8, so a UTF-16 file without one fails as bad UTF-8), and would
 * decode UTF-16 after one.  The policy is
 * documented as UTF-8 only, so a file that starts with another encoding's
 * mark is refused by name.  (UTF-32 marks are tested first: FF FE 00 00
 * begins with the UTF-16LE one.)
 */
static const struct {
	const char *bom;
	size_t len;
	const char *name;
} foreign_boms[] = {
	{ "\xff\xfe\0\0", 4, "UTF-32" },
	{ "\0\0\xfe\xff", 4, "UTF-32" },
	{ "\xff\xfe", 2, "UTF-16" },
	{ "\xfe\xff", 2, "UTF-16" },
};

static int
check_encoding(const char *name, const char *buf, size_t len,
    struct cb_error *err)
{
	size_t i;

	for (i = 0; i < sizeof(foreign_boms) / sizeof(foreign_boms[0]); i++)
		if (len >= foreign_boms[i].len &&
		    memcmp(buf, foreign_boms[i].bom, foreign_boms[i].len) == 0)
			return cb_error_set(err, name, 1, 1, "the policy is %s "
			    "text (it starts with a %s byte order mark); save it "
			    "as UTF-8", foreign_boms[i].name,
			    foreign_boms[i].name);
	return 0;
}

struct ynode *
ytree_parse(const char *name, const char *buf, size_t len,
    struct cb_error *err)
{
	struct builder b;
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0;

	memset(&b, 0, sizeof(b));
	b.name = name;
	b.buf = buf;
	b.err = err;
	if (len > YTREE_MAX_BYTES) {
		cb_error_set(err, name, 0, 0,
		    "file is too large: a policy may be at most %d bytes",
		    YTREE_MAX_BYTES);
		return NULL;
	}
	if (check_encoding(name, buf, len, err) != 0)
		return NULL;
	if (!yaml_parser_initialize(&parser)) {
		cb_error_set(err, name, 0, 0, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = parser_failure(&b, &parser, len);
			break;
		}
		rc = on_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc < 0) {
		ytree_free(b.root);
		return NULL;
	}
	if (b.root == NULL)
		cb_error_set(err, name, 1, 1, "the policy is empty");
	return b.root;
}
