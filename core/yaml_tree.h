/*
 * yaml_tree.h - a YAML document as a small tree of positioned nodes.
 *
 * libyaml's own document loader resolves aliases into shared nodes, which
 * is how "billion laughs" documents blow up.  certbind builds its own tree
 * from the event stream instead, so that it can refuse what a policy never
 * needs (anchors, aliases, tags, several documents, deep nesting, huge
 * files) before any of it costs memory, and so that every node remembers
 * where it stood in the file for error messages.
 */
#ifndef CERTBIND_YAML_TREE_H
#define CERTBIND_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define YTREE_MAX_BYTES (1024 * 1024)  /* larger policy files are refused */
/* The deepest the schema goes: policy > bindings > binding > match >
 * thumbprints. */
#define YTREE_MAX_DEPTH 5

enum ynode_kind { YNODE_SCALAR, YNODE_MAP, YNODE_SEQ };

struct ynode {
	enum ynode_kind kind;
	int line, col;          /* 1-based position of the node's start */
	char *text;             /* scalar value, UTF-8; never holds a NUL */
	size_t len;             /* scalar length in bytes */
	bool plain;             /* unquoted scalar: may be a bool or number */
	struct ynode **items;   /* map: key, value, key, value...; seq: items */
	size_t n;               /* number of entries in items */
};

/*
 * Parse buf (len bytes of UTF-8) into a tree.  name is used in error
 * messages only.  Returns NULL and fills err on any error; an empty
 * document is an error too.
 */
struct ynode *ytree_parse(const char *name, const char *buf, size_t len,
    struct cb_error *err);

void ytree_free(struct ynode *node);

#endif
