// SPDX-License-Identifier: GPL-2.0-or-later
/* sbxconfig.c - config.json of a sandbox: the schema, its one writer and its one reader
 *
 * The keys appear here and nowhere else. The writer emits them in a fixed
 * order (inspect shows the object as it is); the reader is lenient, as the
 * file sits in the user's store: a missing key or one of the wrong type
 * gives the field's default.
 */
#include "sbxconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writer --------------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *strv_to_json(const struct strv *v)
{
	json_t *a = json_array();

	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

/**
 * sbxconfig_to_json() - config.json's object for @c
 * @c:		the configuration
 *
 * "args" is written only when there are any, "created_only" only when set,
 * "image_digest" only when known, the exec part only with has_exec.
 *
 * Return: a new JSON object (json_decref() it).
 */
json_t *sbxconfig_to_json(const struct sbx_config *c)
{
	json_t *o = json_object();
	char caps[24];

	json_object_set_new(o, "id", str_or_null(c->id));
	json_object_set_new(o, "name", str_or_null(c->name));
	json_object_set_new(o, "image", str_or_null(c->image));
	json_object_set_new(o, "command", strv_to_json(&c->command));
	json_object_set_new(o, "created", json_integer((json_int_t)c->created));
	json_object_set_new(o, "rm", json_boolean(c->rm));
	json_object_set_new(o, "detach", json_boolean(c->detach));
	if (c->args.n)
		json_object_set_new(o, "args", strv_to_json(&c->args));
	if (c->created_only)
		json_object_set_new(o, "created_only", json_true());
	if (c->image_digest)
		json_object_set_new(o, "image_digest", json_string(c->image_digest));
	if (!c->has_exec)
		return o;
	/* a string: jansson's integers are signed */
	snprintf(caps, sizeof(caps), "%llx", (unsigned long long)c->caps);
	json_object_set_new(o, "caps", json_string(caps));
	json_object_set_new(o, "user", str_or_null(c->user));
	json_object_set_new(o, "cgroup", str_or_null(c->cgroup));
	json_object_set_new(o, "hostname", str_or_null(c->hostname));
	json_object_set_new(o, "workdir", str_or_null(c->workdir));
	json_object_set_new(o, "seccomp", str_or_null(c->seccomp));
	json_object_set_new(o, "no_new_privs", json_boolean(c->no_new_privs));
	json_object_set_new(o, "privileged", json_boolean(c->privileged));
	json_object_set_new(o, "init", json_boolean(c->init));
	json_object_set_new(o, "own_netns", json_boolean(c->own_netns));
	/* resource limits as requested (cgroup v2), for `inspect` */
	json_object_set_new(o, "memory", c->memory >= 0 ? json_integer(c->memory) : json_null());
	json_object_set_new(o, "pids_limit", c->pids_limit >= 0 ? json_integer(c->pids_limit) : json_null());
	json_object_set_new(o, "cpus", c->cpus > 0 ? json_real(c->cpus) : json_null());
	json_object_set_new(o, "env", strv_to_json(&c->env));
	return o;
}

/**
 * sbxconfig_write() - write @dir/config.json, atomically (a temporary file
 *		       renamed over it)
 * @dir:	ROOT/sandboxes/<id> or RUNROOT/<id>
 * @c:		the configuration
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int sbxconfig_write(const char *dir, const struct sbx_config *c, struct sbx_error **err)
{
	cleanup_free char *path = xasprintf("%s/config.json", dir);
	cleanup_free char *tmp = xasprintf("%s/.config.json.tmp", dir);
	json_t *root = sbxconfig_to_json(c);
	int ret;

	ret = json_dump_file(root, tmp, JSON_COMPACT);
	json_decref(root);
	if (ret < 0)
		return sbx_error_set(err, errno, "write `%s`", tmp);
	if (rename(tmp, path) < 0)
		return sbx_error_set(err, errno, "rename `%s`", tmp);
	return 0;
}

/* ---- reader --------------------------------------------------------------- */

static char *get_str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

/* The string elements of array @k (others are skipped). */
static void get_strv(json_t *o, const char *k, struct strv *out)
{
	json_t *a = json_object_get(o, k), *e;
	size_t i;

	json_array_foreach(a, i, e)
	{
		if (json_is_string(e))
			strv_push(out, json_string_value(e));
	}
}

static long long get_int(json_t *o, const char *k, long long dflt)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

/**
 * from_json() - fill @c from config.json's object
 * @o:		the parsed object
 * @c:		filled; zeroed first
 */
static void from_json(json_t *o, struct sbx_config *c)
{
	json_t *caps = json_object_get(o, "caps"), *cpus = json_object_get(o, "cpus");

	memset(c, 0, sizeof(*c));
	c->id = get_str(o, "id");
	c->name = get_str(o, "name");
	c->image = get_str(o, "image");
	get_strv(o, "command", &c->command);
	c->created = get_int(o, "created", 0);
	c->rm = json_is_true(json_object_get(o, "rm"));
	c->detach = json_is_true(json_object_get(o, "detach"));
	get_strv(o, "args", &c->args);
	c->created_only = json_is_true(json_object_get(o, "created_only"));
	c->image_digest = get_str(o, "image_digest");

	c->has_exec = json_is_string(caps);
	c->caps = c->has_exec ? strtoull(json_string_value(caps), NULL, 16) : 0;
	c->user = get_str(o, "user");
	c->cgroup = get_str(o, "cgroup");
	c->hostname = get_str(o, "hostname");
	c->workdir = get_str(o, "workdir");
	c->seccomp = get_str(o, "seccomp");
	c->no_new_privs = json_is_true(json_object_get(o, "no_new_privs"));
	c->privileged = json_is_true(json_object_get(o, "privileged"));
	/* sandboxes from before these keys ran our init in their own netns */
	c->init = !json_is_false(json_object_get(o, "init"));
	c->own_netns = !json_is_false(json_object_get(o, "own_netns"));
	c->memory = get_int(o, "memory", -1);
	c->pids_limit = get_int(o, "pids_limit", -1);
	c->cpus = json_is_number(cpus) ? json_number_value(cpus) : 0;
	if (!(c->cpus > 0))
		c->cpus = 0;
	get_strv(o, "env", &c->env);
}

/**
 * sbxconfig_parse() - read config.json's text
 * @text:	the file's contents (need not be NUL-terminated)
 * @len:	its length
 * @c:		filled on success (release with sbxconfig_free())
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set when @text is no JSON object.
 */
int sbxconfig_parse(const char *text, size_t len, struct sbx_config *c, struct sbx_error **err)
{
	json_error_t jerr;
	json_t *o = json_loadb(text, len, 0, &jerr);

	memset(c, 0, sizeof(*c));
	if (!json_is_object(o)) {
		json_decref(o);
		return sbx_error_set(err, 0, "config.json: %s", o ? "not a JSON object" : jerr.text);
	}
	from_json(o, c);
	json_decref(o);
	return 0;
}

/**
 * sbxconfig_load() - read a config.json file
 * @path:	the file
 * @c:		filled on success (release with sbxconfig_free())
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int sbxconfig_load(const char *path, struct sbx_config *c, struct sbx_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len;

	memset(c, 0, sizeof(*c));
	if (util_read_file(path, &buf, &len, err) < 0)
		return -1;
	if (sbxconfig_parse(buf, len, c, err) < 0)
		return sbx_error_wrap(err, "`%s`", path);
	return 0;
}

/**
 * sbxconfig_free() - free what a configuration owns
 * @c:		the configuration; left zeroed
 */
void sbxconfig_free(struct sbx_config *c)
{
	free(c->id);
	free(c->name);
	free(c->image);
	strv_clear(&c->command);
	strv_clear(&c->args);
	free(c->image_digest);
	free(c->user);
	free(c->cgroup);
	free(c->hostname);
	free(c->workdir);
	free(c->seccomp);
	strv_clear(&c->env);
	memset(c, 0, sizeof(*c));
}
