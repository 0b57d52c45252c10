// SPDX-License-Identifier: GPL-2.0-or-later
/* image.c - image references, manifests and configs, list, remove, inspect
 *
 * Images are stored the way a registry serves them: an OCI manifest blob
 * (config + layer descriptors) whose digest the name index points at
 * (import.c and registry.c write them). Every write runs in the store's
 * user namespace (store_in_userns()) with the store's lock held; reference
 * counts are computed, not kept: after a name is removed, whatever no
 * remaining image's manifest reaches is removed (image_gc()).
 */
#include "image.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "image_internal.h"
#include "safepath.h"
#include "store.h"
#include "util.h"

/* ---- references ------------------------------------------------------------ */

static bool repo_component_ok(const char *s, size_t n)
{
	if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-'))
			return false;
		if (i && !isalnum(c) && !isalnum((unsigned char)s[i - 1]) && !(c == '_' && s[i - 1] == '_'))
			return false;
	}
	return true;
}

static bool registry_ok(const char *s, size_t n)
{
	if (n == 0 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-' && s[i] != ':' &&
		    s[i] != '[' && s[i] != ']')
			return false;
	return s[0] != '-' && s[0] != '.';
}

/**
 * image_ref_parse() - parse `[REGISTRY/]NAME[:TAG][@sha256:DIGEST]`
 * @s:		the reference
 * @r:		filled; free with image_ref_free()
 * @err:	error out-parameter
 *
 * A first component with a `.` or `:`, or `localhost`, is a registry;
 * without one the registry is docker.io and a one-component name gains
 * `library/`. The tag defaults to `latest` unless a digest is given.
 *
 * Return: 0, or negative with *err set.
 */
int image_ref_parse(const char *s, struct image_ref *r, struct sbx_error **err)
{
	cleanup_free char *work = NULL;
	char *at, *name, *slash, *colon;
	size_t n;

	memset(r, 0, sizeof(*r));
	if (!s || !*s || strlen(s) > 512)
		return sbx_error_set(err, 0, "image reference `%.80s`: empty or too long", s ? s : "");
	work = xstrdup(s);
	at = strchr(work, '@');
	if (at) {
		*at++ = '\0';
		if (!store_digest_valid(at))
			return sbx_error_set(err, 0, "image reference `%s`: bad digest (sha256:<64 hex>)", s);
		r->digest = xstrdup(at);
	}
	name = work;
	slash = strchr(name, '/');
	colon = strrchr(name, ':');
	if (colon && (!slash || colon > strrchr(name, '/'))) {
		const char *t = colon + 1;
		size_t tl = strlen(t);

		if (tl == 0 || tl > 128 || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
			goto bad;
		for (size_t i = 0; i < tl; i++)
			if (!isalnum((unsigned char)t[i]) && t[i] != '_' && t[i] != '.' && t[i] != '-')
				goto bad;
		r->tag = xstrdup(t);
		*colon = '\0';
	}
	slash = strchr(name, '/');
	if (slash &&
	    (memchr(name, '.', (size_t)(slash - name)) || memchr(name, ':', (size_t)(slash - name)) ||
	     (slash - name == 9 && strncmp(name, "localhost", 9) == 0))) {
		if (!registry_ok(name, (size_t)(slash - name)))
			goto bad;
		r->registry = strndup(name, (size_t)(slash - name));
		name = slash + 1;
	} else {
		r->short_name = true;
		r->registry = xstrdup("docker.io");
	}
	n = strlen(name);
	if (n == 0 || n > 255)
		goto bad;
	for (const char *p = name;;) {
		const char *e = strchrnul(p, '/');

		if (!repo_component_ok(p, (size_t)(e - p)))
			goto bad;
		if (!*e)
			break;
		p = e + 1;
	}
	r->given_repo = xstrdup(name);
	if (strcmp(r->registry, "docker.io") == 0 && !strchr(name, '/'))
		r->repo = xasprintf("library/%s", name);
	else
		r->repo = xstrdup(name);
	if (strlen(r->repo) > 255)
		goto bad; /* the full name's limit, `library/` included */
	if (!r->tag && !r->digest)
		r->tag = xstrdup("latest");
	return 0;
bad:
	image_ref_free(r);
	return sbx_error_set(
	    err, 0,
	    "image reference `%s`: invalid (want [REGISTRY/]NAME[:TAG][@sha256:DIGEST], lowercase name)", s);
}

/**
 * image_ref_string() - the full form, `REGISTRY/REPO[:TAG][@DIGEST]`
 * @r:		a parsed reference
 *
 * Return: a new string.
 */
char *image_ref_string(const struct image_ref *r)
{
	return xasprintf("%s/%s%s%s%s%s", r->registry, r->repo, r->tag ? ":" : "", r->tag ? r->tag : "",
			 r->digest ? "@" : "", r->digest ? r->digest : "");
}

void image_ref_free(struct image_ref *r)
{
	free(r->registry);
	free(r->repo);
	free(r->tag);
	free(r->digest);
	free(r->given_repo);
	memset(r, 0, sizeof(*r));
}

/* ---- manifests and configs -------------------------------------------------- */

json_t *image_parse_json(const char *json, size_t len, const char *what, struct sbx_error **err)
{
	json_error_t je;
	json_t *j = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);

	if (!j)
		sbx_error_set(err, 0, "%s: bad JSON: %s (line %d)", what, je.text, je.line);
	else if (!json_is_object(j)) {
		json_decref(j);
		j = NULL;
		sbx_error_set(err, 0, "%s: not a JSON object", what);
	}
	return j;
}

static int copy_digest(json_t *d, char out[LAYER_DIGEST_LEN], const char *what, struct sbx_error **err)
{
	const char *s = json_string_value(d);

	if (!store_digest_valid(s))
		return sbx_error_set(err, 0, "%s: missing or unsupported digest `%.80s`", what, s ? s : "");
	memcpy(out, s, LAYER_DIGEST_LEN);
	return 0;
}

/* A layer descriptor's `urls` (foreign layers): http(s) only, at most three. */
static int image_layer_urls(json_t *urls, struct image_layer_desc *l, struct sbx_error **err)
{
	json_t *u;
	size_t i, n = 0;

	if (!urls)
		return 0;
	if (!json_is_array(urls) || json_array_size(urls) > 3)
		return sbx_error_set(err, 0, "manifest layer `%s`: `urls` is not an array of at most 3",
				     l->digest);
	l->urls = xcalloc(json_array_size(urls) + 1, sizeof(*l->urls));
	json_array_foreach(urls, i, u)
	{
		const char *v = json_string_value(u);

		if (!v || (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) ||
		    strlen(v) > 2048 || strpbrk(v, " \r\n")) {
			util_strvfreep(&l->urls);
			return sbx_error_set(err, 0, "manifest layer `%s`: `urls`: not an http(s) URL",
					     l->digest);
		}
		l->urls[n++] = xstrdup(v);
	}
	return 0;
}

/**
 * image_manifest_parse() - an OCI or Docker schema 2 image manifest
 * @json:	the manifest
 * @len:	its length
 * @m:		filled; free with image_manifest_free()
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (schema 1 and indexes are refused).
 */
int image_manifest_parse(const char *json, size_t len, struct image_manifest *m, struct sbx_error **err)
{
	json_t *j = image_parse_json(json, len, "manifest", err), *layers, *l;
	const char *mt;
	size_t i;
	int ret = -1;

	memset(m, 0, sizeof(*m));
	if (!j)
		return -1;
	mt = json_string_value(json_object_get(j, "mediaType"));
	if (json_integer_value(json_object_get(j, "schemaVersion")) != 2) {
		sbx_error_set(err, 0,
			      "manifest: schema version %lld is not supported (Docker schema 1 images are "
			      "deprecated; re-push the image)",
			      (long long)json_integer_value(json_object_get(j, "schemaVersion")));
		goto out;
	}
	if (mt && (strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0)) {
		sbx_error_set(err, 0, "manifest: an index where an image manifest was expected");
		goto out;
	}
	if (copy_digest(json_object_get(json_object_get(j, "config"), "digest"), m->config, "manifest config",
			err) < 0)
		goto out;
	m->config_size = (uint64_t)json_integer_value(json_object_get(json_object_get(j, "config"), "size"));
	layers = json_object_get(j, "layers");
	if (!json_is_array(layers)) {
		sbx_error_set(err, 0, "manifest: no `layers` array");
		goto out;
	}
	m->layers = xcalloc(json_array_size(layers) + 1, sizeof(*m->layers));
	json_array_foreach(layers, i, l)
	{
		const char *lmt = json_string_value(json_object_get(l, "mediaType"));
		json_int_t sz = json_integer_value(json_object_get(l, "size"));

		if (copy_digest(json_object_get(l, "digest"), m->layers[i].digest, "manifest layer", err) < 0)
			goto out;
		m->layers[i].foreign = lmt && (strstr(lmt, "nondistributable") || strstr(lmt, "foreign"));
		if (image_layer_urls(json_object_get(l, "urls"), &m->layers[i], err) < 0)
			goto out;
		m->layers[i].media_type = xstrdup(lmt ? lmt : "application/vnd.oci.image.layer.v1.tar");
		m->layers[i].size = sz > 0 ? (uint64_t)sz : 0;
		m->n_layers = i + 1;
	}
	ret = 0;
out:
	json_decref(j);
	if (ret < 0)
		image_manifest_free(m);
	return ret;
}

void image_manifest_free(struct image_manifest *m)
{
	for (size_t i = 0; i < m->n_layers; i++) {
		free(m->layers[i].media_type);
		util_strvfreep(&m->layers[i].urls);
	}
	free(m->layers);
	memset(m, 0, sizeof(*m));
}

/**
 * image_platform_parse() - "OS/ARCH[/VARIANT]" (`--platform`), or this host's
 * @s:		the string, or NULL for this host (linux/<GOARCH>, any variant)
 * @p:		filled
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int image_platform_parse(const char *s, struct image_platform *p, struct sbx_error **err)
{
	struct utsname u;
	char buf[3][32];
	int n;

	memset(p, 0, sizeof(*p));
	if (!s) {
		static const char *const names[][2] = {
		    {"x86_64", "amd64"},    {"aarch64", "arm64"}, {"i686", "386"},	  {"i386", "386"},
		    {"ppc64le", "ppc64le"}, {"s390x", "s390x"},	  {"riscv64", "riscv64"},
		};
		snprintf(p->os, sizeof(p->os), "linux");
		snprintf(p->arch, sizeof(p->arch), "amd64");
		if (uname(&u) == 0) {
			snprintf(p->arch, sizeof(p->arch), "%.31s", u.machine);
			for (size_t i = 0; i < ARRAY_SIZE(names); i++)
				if (strcmp(u.machine, names[i][0]) == 0)
					snprintf(p->arch, sizeof(p->arch), "%s", names[i][1]);
			if (strncmp(u.machine, "arm", 3) == 0)
				snprintf(p->arch, sizeof(p->arch), "arm");
		}
		return 0;
	}
	n = sscanf(s, "%31[a-z0-9_]/%31[a-z0-9_]/%31[a-z0-9_]", buf[0], buf[1], buf[2]);
	if (n < 2 || strlen(s) != strlen(buf[0]) + strlen(buf[1]) + 1 + (n == 3 ? strlen(buf[2]) + 1 : 0))
		return sbx_error_set(err, 0, "platform `%.80s`: OS/ARCH[/VARIANT] expected (linux/arm64/v8)",
				     s);
	snprintf(p->os, sizeof(p->os), "%s", buf[0]);
	snprintf(p->arch, sizeof(p->arch), "%s", buf[1]);
	if (n == 3)
		snprintf(p->variant, sizeof(p->variant), "%s", buf[2]);
	return 0;
}

/* @os/@a/@v (NULL or "" when not given) is @want: arm64 without a variant is v8. */
static bool platform_is(const char *os, const char *a, const char *v, const struct image_platform *want)
{
	if ((os && *os && strcmp(os, want->os) != 0) || (a && *a && strcmp(a, want->arch) != 0))
		return false;
	if (!want->variant[0])
		return true;
	if ((!v || !*v) && strcmp(want->arch, "arm64") == 0)
		v = "v8";
	return v && strcmp(v, want->variant) == 0;
}

/* Does an index entry's platform @pl match @want? */
static bool platform_match(json_t *pl, const struct image_platform *want)
{
	if (!pl)
		return true;
	return platform_is(json_string_value(json_object_get(pl, "os")),
			   json_string_value(json_object_get(pl, "architecture")),
			   json_string_value(json_object_get(pl, "variant")), want);
}

/**
 * image_platform_matches() - is an image of platform @have one of @want
 * @have:	from its config (empty fields: not given, they match)
 * @want:	asked for (image_platform_parse())
 *
 * Return: true when it is.
 */
bool image_platform_matches(const struct image_platform *have, const struct image_platform *want)
{
	return platform_is(have->os, have->arch, have->variant, want);
}

/**
 * image_index_pick() - the manifest for a platform in an OCI index or Docker
 *			manifest list
 * @json:	the index
 * @len:	its length
 * @want:	the platform (image_platform_parse()); a variant is matched only
 *		when one is asked for; entries without a platform match any
 * @out:	the manifest's digest
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (naming the platforms there are).
 */
int image_index_pick(const char *json, size_t len, const struct image_platform *want,
		     char out[LAYER_DIGEST_LEN], struct sbx_error **err)
{
	json_t *j = image_parse_json(json, len, "index", err), *ms, *m;
	char have[256] = "";
	size_t i, off = 0;
	int ret = -1;

	if (!j)
		return -1;
	ms = json_object_get(j, "manifests");
	if (!json_is_array(ms) || json_array_size(ms) == 0) {
		sbx_error_set(err, 0, "index: no `manifests`");
		goto out;
	}
	json_array_foreach(ms, i, m)
	{
		json_t *p = json_object_get(m, "platform");
		const char *v = json_string_value(json_object_get(p, "variant"));

		if (platform_match(p, want)) {
			ret = copy_digest(json_object_get(m, "digest"), out, "index entry", err);
			goto out;
		}
		if (off < sizeof(have))
			off += (size_t)snprintf(have + off, sizeof(have) - off, "%s%.20s/%.20s%s%.10s",
						off ? ", " : "",
						json_string_value(json_object_get(p, "os")) ?: "?",
						json_string_value(json_object_get(p, "architecture")) ?: "?",
						v ? "/" : "", v ? v : "");
	}
	sbx_error_set(err, 0, "index: no image for %s/%s%s%s (it has %s)", want->os, want->arch,
		      want->variant[0] ? "/" : "", want->variant, have);
out:
	json_decref(j);
	return ret;
}

static char **strv_from_json(json_t *a, struct sbx_error **err, const char *what)
{
	char **v;
	size_t i;
	json_t *x;

	if (!a || json_is_null(a))
		return NULL;
	if (!json_is_array(a)) {
		sbx_error_set(err, 0, "image config: `%s` is not an array", what);
		return (char **)-1;
	}
	v = xcalloc(json_array_size(a) + 1, sizeof(char *));
	json_array_foreach(a, i, x)
	{
		if (!json_is_string(x)) {
			for (size_t k = 0; k < i; k++)
				free(v[k]);
			free(v);
			sbx_error_set(err, 0, "image config: `%s` has a non-string element", what);
			return (char **)-1;
		}
		v[i] = xstrdup(json_string_value(x));
	}
	return v;
}

/**
 * image_config_parse() - the parts of an image config that run uses
 * @json:	the config
 * @len:	its length
 * @c:		filled; free with image_config_free()
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int image_config_parse(const char *json, size_t len, struct image_config *c, struct sbx_error **err)
{
	json_t *j = image_parse_json(json, len, "image config", err), *cfg, *ids, *x;
	char **ep, **cmd, **env;
	size_t i;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	if (!j)
		return -1;
	cfg = json_object_get(j, "config");
	if (!cfg)
		cfg = json_object_get(j, "container_config");
	ep = strv_from_json(json_object_get(cfg, "Entrypoint"), err, "Entrypoint");
	if (ep == (char **)-1)
		goto out;
	c->entrypoint = ep;
	cmd = strv_from_json(json_object_get(cfg, "Cmd"), err, "Cmd");
	if (cmd == (char **)-1)
		goto out;
	c->cmd = cmd;
	env = strv_from_json(json_object_get(cfg, "Env"), err, "Env");
	if (env == (char **)-1)
		goto out;
	c->env = env;
	if (json_string_value(json_object_get(cfg, "WorkingDir")) &&
	    *json_string_value(json_object_get(cfg, "WorkingDir")))
		c->workdir = xstrdup(json_string_value(json_object_get(cfg, "WorkingDir")));
	if (json_string_value(json_object_get(cfg, "User")) &&
	    *json_string_value(json_object_get(cfg, "User")))
		c->user = xstrdup(json_string_value(json_object_get(cfg, "User")));
	snprintf(c->platform.os, sizeof(c->platform.os), "%s",
		 json_string_value(json_object_get(j, "os")) ?: "");
	snprintf(c->platform.arch, sizeof(c->platform.arch), "%s",
		 json_string_value(json_object_get(j, "architecture")) ?: "");
	snprintf(c->platform.variant, sizeof(c->platform.variant), "%s",
		 json_string_value(json_object_get(j, "variant")) ?: "");
	ids = json_object_get(json_object_get(j, "rootfs"), "diff_ids");
	if (!json_is_array(ids)) {
		sbx_error_set(err, 0, "image config: no `rootfs.diff_ids`");
		goto out;
	}
	c->diff_ids = xcalloc(json_array_size(ids) + 1, sizeof(char *));
	json_array_foreach(ids, i, x)
	{
		if (!store_digest_valid(json_string_value(x))) {
			sbx_error_set(err, 0, "image config: diff_id `%.80s` is not a sha256 digest",
				      json_string_value(x) ? json_string_value(x) : "");
			goto out;
		}
		c->diff_ids[i] = xstrdup(json_string_value(x));
		c->n_diff_ids = i + 1;
	}
	ret = 0;
out:
	json_decref(j);
	if (ret < 0)
		image_config_free(c);
	return ret;
}

void image_config_free(struct image_config *c)
{
	util_strvfreep(&c->entrypoint);
	util_strvfreep(&c->cmd);
	util_strvfreep(&c->env);
	util_strvfreep(&c->diff_ids);
	free(c->workdir);
	free(c->user);
	memset(c, 0, sizeof(*c));
}

/* ---- the index ------------------------------------------------------------- */

/* The index entry of @ref: exact name first, then localhost/NAME for short
 * names, then the docker.io form. */
static json_t *index_find(json_t *index, const char *ref, char **name, struct sbx_error **err)
{
	struct image_ref r;
	cleanup_free char *full = NULL, *local = NULL;
	json_t *imgs = json_object_get(index, "images"), *e;
	const char *cands[3];
	size_t i;

	if (image_ref_parse(ref, &r, err) < 0)
		return NULL;
	full = image_ref_string(&r);
	if (r.short_name)
		local = xasprintf("localhost/%s%s%s%s%s", r.given_repo, r.tag ? ":" : "", r.tag ? r.tag : "",
				  r.digest ? "@" : "", r.digest ? r.digest : "");
	cands[0] = local;
	cands[1] = full;
	cands[2] = NULL;
	for (int k = 0; k < 2; k++) {
		if (!cands[k])
			continue;
		json_array_foreach(imgs, i, e)
		{
			const char *n = json_string_value(json_object_get(e, "name"));

			if (n && strcmp(n, cands[k]) == 0) {
				if (name)
					*name = xstrdup(n);
				image_ref_free(&r);
				return e;
			}
		}
	}
	/* NAME@DIGEST, or a bare image id prefix */
	json_array_foreach(imgs, i, e)
	{
		const char *d = json_string_value(json_object_get(e, "digest"));

		if (d && r.digest && strcmp(d, r.digest) == 0) {
			if (name)
				*name = xstrdup(json_string_value(json_object_get(e, "name")));
			image_ref_free(&r);
			return e;
		}
	}
	sbx_error_set_code(err, SBX_ERR_IMAGE_NOT_LOCAL, 0, "image `%s`: not in the local store", ref);
	image_ref_free(&r);
	return NULL;
}

/* Read a stored manifest and its config. */
static int load_image(struct store *s, const char *digest, struct image_manifest *m, struct image_config *c,
		      json_t **config_json, struct sbx_error **err)
{
	cleanup_free char *mbuf = NULL, *cbuf = NULL;
	size_t ml, cl;

	if (store_blob_read(s, digest, MAX_JSON, &mbuf, &ml, err) < 0 ||
	    image_manifest_parse(mbuf, ml, m, err) < 0)
		return sbx_error_wrap(err, "manifest `%s`", digest);
	if (store_blob_read(s, m->config, MAX_JSON, &cbuf, &cl, err) < 0 ||
	    (c && image_config_parse(cbuf, cl, c, err) < 0)) {
		image_manifest_free(m);
		return sbx_error_wrap(err, "config `%s`", m->config);
	}
	if (c && c->n_diff_ids != m->n_layers) {
		image_manifest_free(m);
		image_config_free(c);
		return sbx_error_set(err, 0, "image `%s`: %zu layers but %zu diff_ids", digest, m->n_layers,
				     c->n_diff_ids);
	}
	if (config_json)
		*config_json = json_loadb(cbuf, cl, 0, NULL);
	return 0;
}

/**
 * image_resolve() - find @ref in the store at @root for `run`
 * @root:	ROOT
 * @ref:	the reference as given
 * @out:	layers (topmost first) and config; free with image_run_free()
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int image_resolve(const char *root, const char *ref, struct image_run *out, struct sbx_error **err)
{
	struct store s;
	struct image_manifest m;
	json_t *index = NULL, *e;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (store_open(&s, root, false, err) < 0)
		return -1;
	if (store_index_load(&s, &index, err) < 0)
		goto out;
	e = index_find(index, ref, &out->name, err);
	if (e) {
		snprintf(out->digest, sizeof(out->digest), "%s",
			 json_string_value(json_object_get(e, "digest")) ?: "");
	} else {
		struct image_ref r;

		/* NAME@DIGEST no name points at any more (the tag moved) but a
		 * sandbox keeps in the store */
		if (image_ref_parse(ref, &r, NULL) < 0)
			goto out;
		if (r.digest && store_blob_exists(&s, r.digest)) {
			snprintf(out->digest, sizeof(out->digest), "%s", r.digest);
			out->name = xstrdup(ref);
			sbx_error_free(*err);
			*err = NULL;
		}
		image_ref_free(&r);
		if (!out->name)
			goto out;
	}
	if (load_image(&s, out->digest, &m, &out->config, NULL, err) < 0)
		goto out;
	out->lowers = xcalloc(out->config.n_diff_ids + 1, sizeof(char *));
	for (size_t i = 0; i < out->config.n_diff_ids; i++) {
		const char *d = out->config.diff_ids[out->config.n_diff_ids - 1 - i];

		if (!store_layer_exists(&s, d)) {
			sbx_error_set(err, ENOENT, "image `%s`: layer `%s` is missing from the store", ref,
				      d);
			image_manifest_free(&m);
			goto out;
		}
		out->lowers[out->n_lowers++] = store_layer_path(&s, d);
	}
	image_manifest_free(&m);
	if (out->n_lowers == 0) {
		sbx_error_set(err, 0, "image `%s`: has no layers", ref);
		goto out;
	}
	ret = 0;
out:
	json_decref(index);
	store_close(&s);
	if (ret < 0)
		image_run_free(out);
	return ret;
}

void image_run_free(struct image_run *r)
{
	free(r->name);
	for (size_t i = 0; i < r->n_lowers; i++)
		free(r->lowers[i]);
	free(r->lowers);
	image_config_free(&r->config);
	memset(r, 0, sizeof(*r));
}

/* ---- garbage collection ------------------------------------------------------- */

static bool in_set(json_t *set, const char *d)
{
	return json_object_get(set, d) != NULL;
}

/**
 * image_gc() - remove blobs and layers no image in the index, and no
 *		sandbox, reaches
 * @s:		store (writer, in the user namespace)
 * @index:	images.json
 * @users:	sandboxes and the manifests they were made from (kept)
 * @n_users:	how many
 * @blobs:	counts removed blobs
 * @layers:	counts removed layers
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int image_gc(struct store *s, json_t *index, const struct image_user *users, size_t n_users, int *blobs,
	     int *layers, struct sbx_error **err)
{
	json_t *keep = json_object(), *roots = json_array(), *e;
	size_t i;
	DIR *d;
	struct dirent *de;
	int ret = -1;

	*blobs = *layers = 0;
	json_array_foreach(json_object_get(index, "images"), i, e)
	    json_array_append(roots, json_object_get(e, "digest"));
	/* what sandboxes were made from stays while they exist, named or not */
	for (i = 0; i < n_users; i++)
		if (users[i].digest && store_blob_exists(s, users[i].digest))
			json_array_append_new(roots, json_string(users[i].digest));
	json_array_foreach(roots, i, e)
	{
		const char *dg = json_string_value(e);
		struct image_manifest m;
		struct image_config c;

		if (!store_digest_valid(dg) || in_set(keep, dg))
			continue;
		json_object_set_new(keep, dg, json_true());
		if (load_image(s, dg, &m, &c, NULL, err) < 0) {
			/* an image we cannot read keeps everything: never guess */
			json_decref(keep);
			json_decref(roots);
			return sbx_error_wrap(err, "image `%s`", dg);
		}
		json_object_set_new(keep, m.config, json_true());
		for (size_t k = 0; k < m.n_layers; k++)
			json_object_set_new(keep, m.layers[k].digest, json_true());
		for (size_t k = 0; k < c.n_diff_ids; k++)
			json_object_set_new(keep, c.diff_ids[k], json_true());
		image_manifest_free(&m);
		image_config_free(&c);
	}
	{
		cleanup_close int bfd = openat(s->fd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		d = bfd >= 0 ? fdopendir(take_fd(&bfd)) : NULL;
	}
	while (d && (de = readdir(d))) {
		char dg[LAYER_DIGEST_LEN + 8];

		if (de->d_name[0] == '.' || strlen(de->d_name) != 64)
			continue;
		snprintf(dg, sizeof(dg), "sha256:%.64s", de->d_name);
		if (!in_set(keep, dg) && store_blob_remove(s, dg) == 0)
			(*blobs)++;
	}
	if (d)
		closedir(d);
	{
		cleanup_close int lfd = openat(s->fd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		d = lfd >= 0 ? fdopendir(take_fd(&lfd)) : NULL;
	}
	while (d && (de = readdir(d))) {
		char dg[LAYER_DIGEST_LEN + 8];

		if (de->d_name[0] == '.' || strlen(de->d_name) != 64)
			continue;
		snprintf(dg, sizeof(dg), "sha256:%.64s", de->d_name);
		if (in_set(keep, dg))
			continue;
		if (store_layer_remove(s, dg, err) < 0)
			goto out;
		(*layers)++;
	}
	ret = 0;
out:
	if (d)
		closedir(d);
	json_decref(keep);
	json_decref(roots);
	return ret;
}

/* ---- rmi, prune ------------------------------------------------------------- */

struct remove_job {
	const char *root;
	char *const *refs;
	size_t n;
	bool force;
	bool prune;
	const struct image_user *users;
	size_t n_users;
};

/*
 * The id of a sandbox (ROOT/sandboxes/<id>/config.json) made from the image
 * @name names now, manifest @digest (by its name when it recorded no digest).
 */
static char *image_used_by(struct store *s, const char *name, const char *digest)
{
	cleanup_close int dfd = openat(s->fd, "sandboxes", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	char *found = NULL;
	DIR *d;

	d = dfd >= 0 ? fdopendir(take_fd(&dfd)) : NULL;
	while (d && !found && (de = readdir(d))) {
		cleanup_free char *p = NULL, *buf = NULL;
		json_t *j;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/sandboxes/%s/config.json", s->root, de->d_name);
		if (util_read_file(p, &buf, NULL, NULL) < 0)
			continue;
		j = json_loads(buf, 0, NULL);
		if (json_string_value(json_object_get(j, "image_digest"))
			? digest && strcmp(json_string_value(json_object_get(j, "image_digest")), digest) == 0
			: json_string_value(json_object_get(j, "image")) &&
			      strcmp(json_string_value(json_object_get(j, "image")), name) == 0)
			found = xstrdup(de->d_name);
		json_decref(j);
	}
	if (d)
		closedir(d);
	return found;
}

static int do_remove(void *arg, char *result, size_t size, struct sbx_error **err)
{
	struct remove_job *j = arg;
	json_t *index = NULL;
	struct store s;
	size_t off = 0;
	int nb, nl, nd, ret = -1;

	if (store_open(&s, j->root, true, err) < 0)
		return -1;
	if (store_index_load(&s, &index, err) < 0)
		goto out;
	for (size_t i = 0; i < j->n; i++) {
		cleanup_free char *name = NULL;
		json_t *imgs = json_object_get(index, "images"),
		       *e = index_find(index, j->refs[i], &name, err);

		if (!e)
			goto out;
		for (size_t k = 0; k < j->n_users; k++) {
			if (!j->users[k].running || strcmp(j->users[k].image, name) != 0)
				continue;
			/* even -f: its layers are the running sandbox's root */
			sbx_error_set(err, 0, "image `%s`: in use by running sandbox %.12s", name,
				      j->users[k].id);
			sbx_error_hint(err, "stop it first (`sandbox stop %.12s`)", j->users[k].id);
			goto out;
		}
		if (!j->force) {
			cleanup_free char *id =
			    image_used_by(&s, name, json_string_value(json_object_get(e, "digest")));

			if (id) {
				sbx_error_set(err, 0, "image `%s`: used by sandbox %.12s", name, id);
				sbx_error_hint(
				    err, "remove it first (`sandbox rm %.12s`), or use `sandbox rmi -f`", id);
				goto out;
			}
		}
		for (size_t k = 0; k < json_array_size(imgs); k++) {
			if (json_array_get(imgs, k) == e) {
				json_array_remove(imgs, k);
				break;
			}
		}
		off += (size_t)snprintf(result + off, off < size ? size - off : 0, "Untagged: %s\n", name);
		if (off > size)
			off = size;
	}
	if (j->n && store_index_save(&s, index, err) < 0)
		goto out;
	if (image_gc(&s, index, j->users, j->n_users, &nb, &nl, err) < 0)
		goto out;
	if (nl || nb)
		off += (size_t)snprintf(result + off, off < size ? size - off : 0,
					"Deleted: %d layers, %d blobs\n", nl, nb);
	if (j->prune && (nd = store_downloads_clear(&s)) > 0)
		snprintf(result + off, off < size ? size - off : 0, "Deleted: %d unfinished downloads\n", nd);
	ret = 0;
out:
	json_decref(index);
	store_close(&s);
	return ret;
}

/**
 * image_remove() - `rmi`: remove names, then what no other image uses
 * @root:	ROOT
 * @refs:	references
 * @n:		how many
 * @force:	-f: also an image that stopped sandboxes (kept without --rm)
 *		were made from: untagged, its layers stay while they exist
 * @users:	the sandboxes and their images: a running one's is never
 *		removed, even -f; none's manifest and layers are removed
 * @n_users:	how many
 * @report:	"Untagged:"/"Deleted:" lines
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (nothing removed when a name is
 * unknown).
 */
int image_remove(const char *root, char *const *refs, size_t n, bool force, const struct image_user *users,
		 size_t n_users, char **report, struct sbx_error **err)
{
	struct remove_job j = {root, refs, n, force, false, users, n_users};
	char out[8192] = "";

	if (store_in_userns(do_remove, &j, out, sizeof(out), err) < 0)
		return -1;
	*report = xstrdup(out);
	return 0;
}

/**
 * image_prune() - remove blobs and layers no image and no sandbox uses
 * @root:	ROOT
 * @users:	the sandboxes and the manifests they were made from
 * @n_users:	how many
 * @report:	a "Deleted:" line
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int image_prune(const char *root, const struct image_user *users, size_t n_users, char **report,
		struct sbx_error **err)
{
	struct remove_job j = {root, NULL, 0, false, true, users, n_users};
	char out[8192] = "";

	if (store_in_userns(do_remove, &j, out, sizeof(out), err) < 0)
		return -1;
	*report = xstrdup(out);
	return 0;
}

/* ---- images, inspect ---------------------------------------------------------- */

static void human_size(uint64_t b, char *buf, size_t n)
{
	if (b >= 1000ULL * 1000 * 1000)
		snprintf(buf, n, "%.3g GB", (double)b / 1e9);
	else if (b >= 1000 * 1000)
		snprintf(buf, n, "%.3g MB", (double)b / 1e6);
	else
		snprintf(buf, n, "%.3g kB", (double)b / 1e3);
}

/**
 * image_list() - `images`
 * @root:	ROOT
 * @json:	a JSON array instead of the table
 * @out:	the text
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int image_list(const char *root, bool json, char **out, struct sbx_error **err)
{
	json_t *index = NULL, *arr = json_array(), *e;
	struct store s;
	size_t i;
	char *text = NULL;
	size_t tl = 0;
	FILE *f;
	int ret = -1;

	if (store_open(&s, root, false, err) < 0 || store_index_load(&s, &index, err) < 0) {
		json_decref(arr);
		store_close(&s);
		return -1;
	}
	f = open_memstream(&text, &tl);
	if (!json)
		fprintf(f, "%-40s %-16s %-14s %-22s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED",
			"SIZE");
	json_array_foreach(json_object_get(index, "images"), i, e)
	{
		const char *name = json_string_value(json_object_get(e, "name")) ?: "";
		const char *dg = json_string_value(json_object_get(e, "digest"));
		struct image_manifest m;
		struct image_config c;
		uint64_t total = 0;
		json_int_t created = json_integer_value(json_object_get(e, "created"));
		const char *colon = strrchr(name, ':');
		char when[32], sz[32];
		time_t t = (time_t)created;

		if (colon && strchr(colon, '/'))
			colon = NULL;
		if (load_image(&s, dg, &m, &c, NULL, err) < 0)
			goto out;
		/* unpacked, as docker and podman show it (the archive where unknown) */
		total = m.config_size;
		for (size_t k = 0; k < m.n_layers; k++) {
			uint64_t u = k < c.n_diff_ids ? store_layer_size(&s, c.diff_ids[k]) : 0;

			total += u ? u : m.layers[k].size;
		}
		image_config_free(&c);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime(&t));
		human_size(total, sz, sizeof(sz));
		if (json)
			json_array_append_new(arr, json_pack("{s:s, s:[s], s:s, s:I, s:I}", "Id",
							     m.config + 7, "Names", name, "Digest", dg,
							     "Created", created, "Size", (json_int_t)total));
		else
			fprintf(f, "%-40.*s %-16s %-14.12s %-22s %s\n",
				colon ? (int)(colon - name) : (int)strlen(name), name,
				colon ? colon + 1 : "<none>", m.config + 7, when, sz);
		image_manifest_free(&m);
	}
	if (json) {
		char *j = json_dumps(arr, JSON_INDENT(2));

		fprintf(f, "%s\n", j);
		free(j);
	}
	ret = 0;
out:
	fclose(f);
	if (ret == 0)
		*out = text;
	else
		free(text);
	json_decref(index);
	json_decref(arr);
	store_close(&s);
	return ret;
}

/**
 * image_inspect() - `inspect IMAGE`: JSON as docker inspect shows it
 * @root:	ROOT
 * @ref:	the image
 * @out:	the JSON text
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int image_inspect(const char *root, const char *ref, char **out, struct sbx_error **err)
{
	json_t *index = NULL, *e, *cj = NULL, *o, *layers, *names, *x;
	cleanup_free char *name = NULL;
	struct image_manifest m;
	struct image_config c;
	struct store s;
	uint64_t total;
	size_t i;
	int ret = -1;

	if (store_open(&s, root, false, err) < 0)
		return -1;
	if (store_index_load(&s, &index, err) < 0)
		goto out;
	e = index_find(index, ref, &name, err);
	if (!e)
		goto out;
	if (load_image(&s, json_string_value(json_object_get(e, "digest")), &m, &c, &cj, err) < 0)
		goto out;
	names = json_array();
	json_array_foreach(json_object_get(index, "images"), i,
			   x) if (json_equal(json_object_get(x, "digest"), json_object_get(e, "digest")))
	    json_array_append(names, json_object_get(x, "name"));
	layers = json_array();
	total = m.config_size;
	for (size_t k = 0; k < m.n_layers; k++) {
		json_array_append_new(layers,
				      json_pack("{s:s, s:s, s:I, s:s}", "Digest", m.layers[k].digest,
						"DiffID", c.diff_ids[k], "Size", (json_int_t)m.layers[k].size,
						"MediaType", m.layers[k].media_type));
		/* the image's size unpacked, as docker inspect gives it (the archive's where unknown) */
		total += store_layer_size(&s, c.diff_ids[k]) ?: m.layers[k].size;
	}
	o = json_pack("{s:s, s:O, s:o, s:I, s:o}", "Id", m.config + 7, "Digest", json_object_get(e, "digest"),
		      "RepoTags", names, "Size", (json_int_t)total, "Layers", layers);
	json_object_set(o, "Created", json_object_get(cj, "created") ?: json_null());
	json_object_set(o, "Architecture", json_object_get(cj, "architecture") ?: json_null());
	json_object_set(o, "Os", json_object_get(cj, "os") ?: json_null());
	json_object_set(o, "Config", json_object_get(cj, "config") ?: json_object());
	json_object_set(o, "Labels", json_object_get(json_object_get(cj, "config"), "Labels") ?: json_null());
	json_object_set(o, "RootFS", json_object_get(cj, "rootfs") ?: json_null());
	{
		json_t *arr = json_array();
		char *text;

		json_array_append_new(arr, o);
		text = json_dumps(arr, JSON_INDENT(4));
		json_decref(arr);
		*out = xasprintf("%s\n", text);
		free(text);
	}
	image_manifest_free(&m);
	image_config_free(&c);
	ret = 0;
out:
	json_decref(cj);
	json_decref(index);
	store_close(&s);
	return ret;
}
