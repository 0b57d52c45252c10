// SPDX-License-Identifier: GPL-2.0-or-later
/* registry.c - OCI distribution API v2 client over libcurl: pull, login, logout
 *
 * A pull runs inside store_in_userns() with the store lock held, as an
 * import does: the manifest (an index is resolved to linux/<arch>) and the
 * config are fetched into memory and stored with store_blob_put() against
 * their digests; each layer is downloaded into the store's tmp/ and unpacked
 * with store_layer_unpack_fd(), which checks its digest and diff_id; the
 * name goes into the index last. Authentication: a 401 with
 * `WWW-Authenticate: Bearer realm=...,service=...,scope=...` fetches a token
 * from the realm (with Basic credentials when there are some, anonymous
 * otherwise); `Basic` sends the credentials. curl never sends the custom
 * Authorization header to another host, port or scheme when it follows a
 * redirect (blob downloads redirected to a CDN), nor follows one from https
 * to http while TLS is checked; a 401 is answered only when it came from
 * the registry's own scheme, host and port (after a redirect it is an
 * error: that host would name the realm the password goes to); a token
 * realm gets the credentials only over https unless --tls-verify=false.
 * TLS: the per-registry CA in certs.d, else SSL_CERT_FILE/SSL_CERT_DIR,
 * else the first system bundle found at run time (the binary is static and
 * has no compiled-in path that fits every distro).
 */
#include "registry.h"

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

#include <curl/curl.h>
#include <jansson.h>
#include <mbedtls/base64.h>
#include <mbedtls/sha256.h>

#include "http.h"
#include "image.h"
#include "store.h"
#include "util.h"

#define PULL_PARALLEL 4 /* layer downloads at once (podman: 6) */
#define ACCEPT_MANIFESTS                                                                                     \
	"Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "      \
	"application/vnd.docker.distribution.manifest.list.v2+json, "                                        \
	"application/vnd.docker.distribution.manifest.v2+json"

struct reg {
	char *host; /* as in the reference: "docker.io", "127.0.0.1:5000" */
	char *api;  /* "registry-1.docker.io" for docker.io */
	char *repo; /* "library/alpine"; NULL for login */
	char *user, *pass;
	char *auth;	    /* "Authorization: ..." header, or NULL */
	const char *scheme; /* "https"; "http" after a fallback (--tls-verify=false) */
	struct http h;
};

static void reg_free(struct reg *r)
{
	free(r->host);
	free(r->api);
	free(r->repo);
	free(r->user);
	free(r->pass);
	free(r->auth);
	free(r->h.cafile);
	free(r->h.capath);
}

/* The value of @key in a challenge `Bearer realm="...",service="..."`. */
static char *challenge_param(const char *ch, const char *key)
{
	size_t kl = strlen(key);
	const char *p = ch;

	while ((p = strcasestr(p, key))) {
		if ((p == ch || p[-1] == ' ' || p[-1] == ',') && p[kl] == '=') {
			const char *v = p + kl + 1, *e;

			if (*v == '"') {
				v++;
				e = strchr(v, '"');
			} else {
				e = v + strcspn(v, ", ");
			}
			return e ? strndup(v, (size_t)(e - v)) : NULL;
		}
		p += kl;
	}
	return NULL;
}

static char *url_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *r = xstrdup(e ? e : "");

	curl_free(e);
	return r;
}

static char *basic_header(const char *user, const char *pass)
{
	cleanup_free char *up = xasprintf("%s:%s", user, pass);
	size_t ol = 0, cap = 4 * (strlen(up) / 3 + 2) + 1;
	cleanup_free unsigned char *b = xmalloc(cap);

	if (mbedtls_base64_encode(b, cap, &ol, (const unsigned char *)up, strlen(up)) != 0)
		return NULL;
	b[ol] = '\0';
	return xasprintf("Authorization: Basic %s", b);
}

/* Answer the challenge in @rs (a 401): set r->auth. */
static int authenticate(struct reg *r, const char *challenge, struct sbx_error **err)
{
	if (!challenge)
		return sbx_error_set(err, 0, "%s: 401 Unauthorized without a WWW-Authenticate challenge",
				     r->host);
	if (strncasecmp(challenge, "Basic", 5) == 0) {
		if (!r->user)
			return sbx_error_set(
			    err, 0, "%s: authentication required (use --creds or `sandbox login`)", r->host);
		free(r->auth);
		r->auth = basic_header(r->user, r->pass);
		return 0;
	}
	if (strncasecmp(challenge, "Bearer", 6) != 0)
		return sbx_error_set(err, 0, "%s: unsupported authentication scheme `%.20s`", r->host,
				     challenge);
	cleanup_free char *realm = challenge_param(challenge + 6, "realm");
	cleanup_free char *service = challenge_param(challenge + 6, "service");
	cleanup_free char *scope = challenge_param(challenge + 6, "scope");
	cleanup_free char *url = NULL, *basic = NULL;
	struct http_resp rs = {0};
	json_t *j;
	const char *tok;
	int ret = -1;

	if (!realm || (strncmp(realm, "https://", 8) != 0 && strncmp(realm, "http://", 7) != 0))
		return sbx_error_set(err, 0, "%s: Bearer challenge without a usable realm", r->host);
	if (strncmp(realm, "http://", 7) == 0 && r->h.tls_verify)
		return sbx_error_set(err, 0,
				     "%s: the token service `%s` is not HTTPS (--tls-verify=false allows it)",
				     r->host, realm);
	if (!scope && r->repo)
		scope = xasprintf("repository:%s:pull", r->repo);
	{
		cleanup_free char *es = service ? url_escape(service) : NULL;
		cleanup_free char *esc = scope ? url_escape(scope) : NULL;

		url = xasprintf("%s%s%s%s%s%s%s", realm, strchr(realm, '?') ? "&" : "?", es ? "service=" : "",
				es ? es : "", esc ? (es ? "&scope=" : "scope=") : "", esc ? esc : "", "");
	}
	if (r->user)
		basic = basic_header(r->user, r->pass);
	if (http_get(&r->h, url, NULL, basic, &rs, err) < 0)
		goto out;
	if (rs.code == 401 || rs.code == 403) {
		sbx_error_set(err, 0, "%s: %s", r->host,
			      r->user ? "invalid username or password"
				      : "the token service refused an anonymous token");
		goto out;
	}
	if (rs.code != 200) {
		sbx_error_set(err, 0, "%s: token service answered HTTP %ld", r->host, rs.code);
		goto out;
	}
	j = json_loadb(rs.body ? rs.body : "", rs.len, 0, NULL);
	tok = json_string_value(json_object_get(j, "token"));
	if (!tok)
		tok = json_string_value(json_object_get(j, "access_token"));
	if (!tok || !*tok) {
		json_decref(j);
		sbx_error_set(err, 0, "%s: the token service answered without a token", r->host);
		goto out;
	}
	free(r->auth);
	r->auth = xasprintf("Authorization: Bearer %s", tok);
	json_decref(j);
	ret = 0;
out:
	http_resp_reset(&rs);
	return ret;
}

/* GET /v2/@path with authentication; non-2xx is an error. */
static int reg_get(struct reg *r, const char *path, const char *accept, struct http_resp *rs,
		   struct sbx_error **err)
{
	for (int round = 0;; round++) {
		cleanup_free char *url = xasprintf("%s://%s/v2/%s", r->scheme, r->api, path);

		if (http_get(&r->h, url, accept, r->auth, rs, err) < 0) {
			/* podman's insecure registries: no TLS at all is tried too */
			if (!r->h.tls_verify && strcmp(r->scheme, "https") == 0 &&
			    rs->curl_code == CURLE_SSL_CONNECT_ERROR) {
				sbx_debug("%s: TLS handshake failed, trying plain HTTP", r->host);
				sbx_error_free(*err);
				*err = NULL;
				r->scheme = "http";
				round--;
				continue;
			}
			return -1;
		}
		if (rs->code == 401 && rs->redirected_away)
			return sbx_error_set(
			    err, 0,
			    "%s: GET /v2/%s was redirected to a host that asks for credentials "
			    "(HTTP 401): they go only to the registry",
			    r->host, path);
		if (rs->code == 401 && round <= 0) {
			if (authenticate(r, rs->www_auth, err) < 0)
				return -1;
			round = 0;
			continue;
		}
		if (rs->code == 401 || rs->code == 403)
			return sbx_error_set(
			    err, 0, "%s: %s", r->host,
			    r->user ? "invalid username or password, or no access"
				    : "authentication required (use --creds or `sandbox login`)");
		if (rs->code == 404)
			return sbx_error_set(err, 0, "%s: `%s` not found", r->host, path);
		if (rs->code / 100 != 2)
			return sbx_error_set(err, 0, "%s: GET /v2/%s: HTTP %ld", r->host, path, rs->code);
		return 0;
	}
}

static bool file_ok(const char *p)
{
	return access(p, R_OK) == 0;
}

static void setup_tls(struct reg *r)
{
	static const char *const bundles[] = {
	    "/etc/ssl/certs/ca-certificates.crt",		 /* Debian, Ubuntu, Arch, Gentoo, Alpine */
	    "/etc/pki/tls/certs/ca-bundle.crt",			 /* Fedora, RHEL */
	    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* RHEL 7+ */
	    "/etc/ssl/ca-bundle.pem",				 /* openSUSE */
	    "/etc/ssl/cert.pem",				 /* Alpine, macOS-like */
	    "/etc/pki/tls/cacert.pem",
	    NULL,
	};
	const char *home = getenv("HOME"), *e;
	cleanup_free char *p1 = xasprintf("/etc/containers/certs.d/%s/ca.crt", r->host);
	cleanup_free char *p2 =
	    home ? xasprintf("%s/.config/containers/certs.d/%s/ca.crt", home, r->host) : NULL;

	if (p2 && file_ok(p2)) {
		r->h.cafile = xstrdup(p2);
		return;
	}
	if (file_ok(p1)) {
		r->h.cafile = xstrdup(p1);
		return;
	}
	if ((e = getenv("SSL_CERT_FILE")) && *e)
		r->h.cafile = xstrdup(e);
	if ((e = getenv("SSL_CERT_DIR")) && *e)
		r->h.capath = xstrdup(e);
	if (r->h.cafile || r->h.capath)
		return;
	for (size_t i = 0; bundles[i]; i++) {
		if (file_ok(bundles[i])) {
			r->h.cafile = xstrdup(bundles[i]);
			return;
		}
	}
	if (access("/etc/ssl/certs", X_OK) == 0)
		r->h.capath = xstrdup("/etc/ssl/certs");
}

/* Auth files, in the order podman reads them. */
static char *auth_file_path(int which)
{
	const char *e;

	switch (which) {
	case 0: e = getenv("REGISTRY_AUTH_FILE"); return e && *e ? xstrdup(e) : NULL;
	case 1:
		e = getenv("XDG_RUNTIME_DIR");
		return e && *e ? xasprintf("%s/containers/auth.json", e) : NULL;
	case 2: e = getenv("HOME"); return e && *e ? xasprintf("%s/.docker/config.json", e) : NULL;
	}
	return NULL;
}

static bool split_creds(const char *s, char **user, char **pass)
{
	const char *c = strchr(s, ':');

	if (!c || c == s)
		return false;
	*user = strndup(s, (size_t)(c - s));
	*pass = xstrdup(c + 1);
	return true;
}

static json_t *auth_entry(json_t *auths, const char *host)
{
	static const char *const hub[] = {"docker.io", "https://index.docker.io/v1/", "index.docker.io",
					  "registry-1.docker.io", NULL};
	json_t *e = json_object_get(auths, host);
	cleanup_free char *u = NULL;

	if (e)
		return e;
	u = xasprintf("https://%s", host);
	if ((e = json_object_get(auths, u)))
		return e;
	if (strcmp(host, "docker.io") == 0)
		for (size_t i = 0; hub[i]; i++)
			if ((e = json_object_get(auths, hub[i])))
				return e;
	return NULL;
}

static void find_creds(struct reg *r)
{
	for (int w = 0; w < 3; w++) {
		cleanup_free char *p = auth_file_path(w);
		json_t *j, *e;
		const char *a;

		if (!p || !(j = json_load_file(p, 0, NULL)))
			continue;
		e = auth_entry(json_object_get(j, "auths"), r->host);
		a = json_string_value(json_object_get(e, "auth"));
		if (a) {
			size_t ol = 0, cap = strlen(a) + 1;
			cleanup_free unsigned char *d = xmalloc(cap);

			if (mbedtls_base64_decode(d, cap, &ol, (const unsigned char *)a, strlen(a)) == 0) {
				d[ol] = '\0';
				split_creds((char *)d, &r->user, &r->pass);
			}
		}
		json_decref(j);
		if (r->user)
			return;
	}
}

static int reg_init(struct reg *r, const char *host, const char *repo, const struct registry_opts *o,
		    struct sbx_error **err)
{
	memset(r, 0, sizeof(*r));
	r->host = xstrdup(host);
	r->api = xstrdup(strcmp(host, "docker.io") == 0 ? "registry-1.docker.io" : host);
	r->repo = repo ? xstrdup(repo) : NULL;
	r->scheme = "https";
	r->h.tls_verify = o->tls_verify;
	r->h.tty = !o->quiet && isatty(STDERR_FILENO);
	if (o->creds) {
		if (!split_creds(o->creds, &r->user, &r->pass)) {
			reg_free(r);
			return sbx_error_set(err, 0, "--creds: USER:PASSWORD expected");
		}
	} else {
		find_creds(r);
	}
	setup_tls(r);
	return 0;
}

static void sha256_digest(const void *p, size_t n, char out[LAYER_DIGEST_LEN])
{
	unsigned char h[32];

	mbedtls_sha256_ret(p, n, h, 0);
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", h[i]);
}

/* Fetch the manifest for @ref (tag or digest), resolving an index. */
static int fetch_manifest(struct reg *r, const char *ref, const struct image_platform *plat, char **body,
			  size_t *len, char digest[LAYER_DIGEST_LEN], struct sbx_error **err)
{
	cleanup_free char *want = store_digest_valid(ref) ? xstrdup(ref) : NULL;
	cleanup_free char *cur = xstrdup(ref);

	for (int depth = 0; depth < 3; depth++) {
		cleanup_free char *path = xasprintf("%s/manifests/%s", r->repo, cur);
		struct http_resp rs = {0};
		json_t *j;
		const char *mt;
		long sv;

		if (reg_get(r, path, ACCEPT_MANIFESTS, &rs, err) < 0) {
			http_resp_reset(&rs);
			return -1;
		}
		sha256_digest(rs.body ? rs.body : "", rs.len, digest);
		if (want && strcmp(want, digest) != 0) {
			http_resp_reset(&rs);
			return sbx_error_set(err, 0, "manifest `%s`: digest mismatch (got %s)", want, digest);
		}
		j = json_loadb(rs.body ? rs.body : "", rs.len, 0, NULL);
		if (!j) {
			http_resp_reset(&rs);
			return sbx_error_set(err, 0, "manifest `%s`: not JSON", cur);
		}
		mt = json_string_value(json_object_get(j, "mediaType"));
		if (!mt)
			mt = rs.ctype ? rs.ctype : "";
		sv = (long)json_integer_value(json_object_get(j, "schemaVersion"));
		if (sv == 1 || strstr(mt, "distribution.manifest.v1+")) {
			json_decref(j);
			http_resp_reset(&rs);
			return sbx_error_set(
			    err, 0,
			    "`%s/%s:%s`: a Docker schema 1 manifest, which is deprecated and not "
			    "supported (push the image again with a current client)",
			    r->host, r->repo, ref);
		}
		if (strstr(mt, "image.index.v1") || strstr(mt, "manifest.list.v2") ||
		    (!json_object_get(j, "layers") && json_object_get(j, "manifests"))) {
			json_decref(j);
			free(want);
			want = NULL;
			if (image_index_pick(rs.body, rs.len, plat, digest, err) < 0) {
				http_resp_reset(&rs);
				return sbx_error_wrap(err, "`%s/%s:%s`", r->host, r->repo, ref);
			}
			free(cur);
			cur = xstrdup(digest);
			want = xstrdup(digest);
			http_resp_reset(&rs);
			continue;
		}
		json_decref(j);
		*body = rs.body;
		*len = rs.len;
		rs.body = NULL;
		http_resp_reset(&rs);
		return 0;
	}
	return sbx_error_set(err, 0, "`%s/%s`: indexes nested too deep", r->host, r->repo);
}

struct pull_job {
	const char *root;
	const char *ref;
	const struct registry_opts *o;
};

static const char *auth_header(void *ctx)
{
	return ((struct reg *)ctx)->auth;
}

static int auth_renew(void *ctx, const char *challenge, struct sbx_error **err)
{
	return authenticate(ctx, challenge, err);
}

/* The layers to download: their files in downloads/ and their sources. */
static int plan_layers(struct reg *r, struct store *s, const struct image_manifest *m,
		       const struct image_config *c, const struct registry_opts *o, struct http_blob *b,
		       size_t *idx, size_t *n, struct sbx_error **err)
{
	*n = 0;
	for (size_t i = 0; i < m->n_layers; i++) {
		const struct image_layer_desc *l = &m->layers[i];
		struct http_blob *x = &b[*n];

		if (l->size == 0)
			return sbx_error_set(err, 0, "layer `%s`: the manifest gives no size", l->digest);
		if (l->foreign && !o->foreign_layers)
			return sbx_error_set(
			    err, 0, "layer `%s`: a non-distributable (foreign) layer (%s)%s", l->digest,
			    l->media_type,
			    l->urls ? "; pass --allow-foreign-layers to fetch it from its URLs" : "");
		if (store_layer_exists(s, c->diff_ids[i])) {
			if (!o->quiet)
				fprintf(stderr, "Copying blob %.19s skipped: already exists\n", l->digest);
			continue;
		}
		memset(x, 0, sizeof(*x));
		x->fd = -1;
		for (size_t k = 0; l->foreign && l->urls && l->urls[k] && x->n_urls < HTTP_MAX_URLS - 1; k++)
			x->urls[x->n_urls++] = l->urls[k];
		x->urls[x->n_urls] =
		    xasprintf("%s://%s/v2/%s/blobs/%s", r->scheme, r->api, r->repo, l->digest);
		x->send_auth[x->n_urls++] = true;
		x->label = l->digest;
		x->size = l->size;
		for (size_t k = 0; k < *n; k++)
			if (strcmp(b[k].label, l->digest) == 0)
				x->label = NULL; /* the same blob twice: once is enough */
		if (!x->label) {
			free((char *)x->urls[x->n_urls - 1]);
			continue;
		}
		idx[(*n)++] = i;
		if (store_download_open(s, l->digest, &x->fd, err) < 0)
			return -1;
	}
	return 0;
}

/* Download the layers @parallel at a time and unpack each as it completes. */
static int pull_layers(struct reg *r, struct store *s, const struct image_manifest *m,
		       const struct image_config *c, const struct registry_opts *o, struct sbx_error **err)
{
	struct http_blob *b = xcalloc(m->n_layers + 1, sizeof(*b));
	size_t *idx = xcalloc(m->n_layers + 1, sizeof(*idx)), n = 0, i;
	struct http_auth_ops ops = {auth_header, auth_renew, r};
	struct http_download *d = NULL;
	int ret = -1, got = 0;

	if (plan_layers(r, s, m, c, o, b, idx, &n, err) < 0)
		goto out;
	if (n && http_download_start(&r->h, b, n, PULL_PARALLEL, &ops, &d, err) < 0)
		goto out;
	while (n && (got = http_download_next(d, &i, err)) > 0) {
		const struct image_layer_desc *l = &m->layers[idx[i]];
		struct store_layer_info info;

		if (lseek(b[i].fd, 0, SEEK_SET) < 0 ||
		    store_layer_unpack_fd(s, b[i].fd, l->digest, c->diff_ids[idx[i]], &info, err) < 0) {
			/* a prefix kept from an earlier pull may be what is wrong */
			if (b[i].resumed && http_download_again(d, i)) {
				sbx_debug("layer %s: resumed download is wrong; downloading it again",
					  l->digest);
				sbx_error_free(*err);
				*err = NULL;
				continue;
			}
			store_download_remove(s, l->digest);
			sbx_error_wrap(err, "layer `%s`", l->digest);
			goto out;
		}
		store_download_remove(s, l->digest);
		if (!o->quiet)
			http_download_say(d, "Copying blob %.19s done (%llu bytes%s)\n", l->digest,
					  (unsigned long long)info.size, b[i].resumed ? ", resumed" : "");
	}
	if (n && got < 0)
		goto out;
	ret = 0;
out:
	http_download_end(d);
	for (i = 0; i < n; i++) {
		struct stat st;

		/* an empty download file is nothing worth resuming */
		if (b[i].fd >= 0 && fstat(b[i].fd, &st) == 0 && st.st_size == 0)
			store_download_remove(s, b[i].label);
		if (b[i].fd >= 0)
			close(b[i].fd);
		free((char *)b[i].urls[b[i].n_urls - 1]);
	}
	free(b);
	free(idx);
	return ret;
}

static int do_pull(void *arg, char *result, size_t size, struct sbx_error **err)
{
	struct pull_job *pj = arg;
	struct image_ref ir;
	struct image_platform want;
	struct reg r;
	struct store s;
	struct image_manifest m = {0};
	struct image_config c = {0};
	cleanup_free char *mbuf = NULL, *name = NULL;
	char mdigest[LAYER_DIGEST_LEN];
	size_t ml = 0;
	json_t *index = NULL, *imgs, *e;
	int ret = -1;

	if (image_platform_parse(pj->o->platform, &want, err) < 0 || image_ref_parse(pj->ref, &ir, err) < 0)
		return -1;
	if (reg_init(&r, ir.registry, ir.repo, pj->o, err) < 0) {
		image_ref_free(&ir);
		return -1;
	}
	name = image_ref_string(&ir);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (store_open(&s, pj->root, true, err) < 0)
		goto out_noclose;
	if (fetch_manifest(&r, ir.digest ? ir.digest : ir.tag, &want, &mbuf, &ml, mdigest, err) < 0 ||
	    image_manifest_parse(mbuf, ml, &m, err) < 0)
		goto out;
	{
		cleanup_free char *path = xasprintf("%s/blobs/%s", r.repo, m.config);
		struct http_resp rs = {0};

		if (reg_get(&r, path, NULL, &rs, err) < 0 ||
		    image_config_parse(rs.body, rs.len, &c, err) < 0 ||
		    store_blob_put(&s, -1, (const uint8_t *)rs.body, rs.len, m.config, NULL, NULL, err) < 0) {
			http_resp_reset(&rs);
			sbx_error_wrap(err, "config `%s`", m.config);
			goto out;
		}
		http_resp_reset(&rs);
	}
	if (c.n_diff_ids != m.n_layers) {
		sbx_error_set(err, 0, "image: %zu layers but %zu diff_ids in its config", m.n_layers,
			      c.n_diff_ids);
		goto out;
	}
	if (pull_layers(&r, &s, &m, &c, pj->o, err) < 0)
		goto out;
	if (store_blob_put(&s, -1, (const uint8_t *)mbuf, ml, mdigest, NULL, NULL, err) < 0 ||
	    store_index_load(&s, &index, err) < 0)
		goto out;
	imgs = json_object_get(index, "images");
	for (size_t i = 0; i < json_array_size(imgs);) {
		e = json_array_get(imgs, i);
		if (strcmp(json_string_value(json_object_get(e, "name")) ?: "", name) == 0)
			json_array_remove(imgs, i);
		else
			i++;
	}
	json_array_append_new(imgs, json_pack("{s:s, s:s, s:I}", "name", name, "digest", mdigest, "created",
					      (json_int_t)time(NULL)));
	if (store_index_save(&s, index, err) < 0)
		goto out;
	if (s.totals.owners_collapsed)
		sbx_warn(
		    "pull: %llu files keep your own uid/gid: a single-ID user namespace has no other IDs "
		    "(see `sandbox doctor`)",
		    (unsigned long long)s.totals.owners_collapsed);
	snprintf(result, size, "%s\n", mdigest);
	ret = 0;
out:
	json_decref(index);
	store_close(&s);
out_noclose:
	image_manifest_free(&m);
	image_config_free(&c);
	if (ret < 0)
		sbx_error_wrap(err, "pull `%s`", pj->ref);
	reg_free(&r);
	image_ref_free(&ir);
	return ret;
}

/**
 * registry_pull() - pull @ref into the store at @root
 * @root:	ROOT
 * @ref:	image reference
 * @o:		options
 * @report:	the manifest digest and a newline
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int registry_pull(const char *root, const char *ref, const struct registry_opts *o, char **report,
		  struct sbx_error **err)
{
	struct pull_job j = {root, ref, o};
	char out[256] = "";

	if (store_in_userns(do_pull, &j, out, sizeof(out), err) < 0)
		return -1;
	*report = xstrdup(out);
	return 0;
}

/**
 * registry_resolve_or_pull() - an image reference's layers, pulled first when
 *				 it is not in the store (as podman does)
 * @root:	ROOT
 * @ref:	image reference
 * @platform:	`--platform` OS/ARCH[/VARIANT], or NULL: a local image of
 *		another platform is pulled again for this one
 * @policy:	`--pull`: missing (the default), always, never
 * @out:	filled (image_resolve())
 * @err:	error out-parameter
 *
 * Images named localhost/ (imports) are never pulled.
 *
 * Return: 0, or negative with *err set.
 */
int registry_resolve_or_pull(const char *root, const char *ref, const char *platform,
			     enum registry_pull_policy policy, struct image_run *out, struct sbx_error **err)
{
	struct registry_opts ro = {.tls_verify = true, .platform = platform};
	struct image_platform want;
	struct image_ref r;
	cleanup_free char *report = NULL;
	bool pullable;

	if (platform && image_platform_parse(platform, &want, err) < 0)
		return sbx_error_wrap(err, "--platform");
	if (image_ref_parse(ref, &r, err) < 0)
		return -1;
	pullable = strcmp(r.registry, "localhost") != 0;
	image_ref_free(&r);
	if (policy != REGISTRY_PULL_ALWAYS || !pullable) {
		if (image_resolve(root, ref, out, err) == 0) {
			if (!platform || image_platform_matches(&out->config.platform, &want))
				return 0;
			sbx_debug("%s is %s/%s, --platform asks for %s: pulling", ref,
				  out->config.platform.os, out->config.platform.arch, platform);
			image_run_free(out);
			sbx_error_set_code(err, SBX_ERR_IMAGE_NOT_LOCAL, 0,
					   "image `%s`: not in the local store for %s", ref, platform);
		}
		if (!sbx_error_is(*err, SBX_ERR_IMAGE_NOT_LOCAL) || !pullable)
			return -1;
		if (policy == REGISTRY_PULL_NEVER) {
			sbx_error_hint(err, "pull it (`sandbox pull %s`), or leave out --pull=never", ref);
			return -1;
		}
		sbx_error_free(*err);
		*err = NULL;
	}
	if (registry_pull(root, ref, &ro, &report, err) < 0)
		return -1;
	return image_resolve(root, ref, out, err);
}

static char *login_file(void)
{
	cleanup_free char *p = auth_file_path(0);
	const char *e;

	if (p)
		return xstrdup(p);
	if ((e = getenv("XDG_RUNTIME_DIR")) && *e)
		return xasprintf("%s/containers/auth.json", e);
	if ((e = getenv("HOME")) && *e)
		return xasprintf("%s/.config/containers/auth.json", e);
	return NULL;
}

static int save_auth(const char *path, json_t *j, struct sbx_error **err)
{
	cleanup_free char *dir = xstrdup(path), *tmp = xasprintf("%s.tmp%d", path, (int)getpid());
	cleanup_free char *text = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS);
	char *slash = strrchr(dir, '/');
	int fd;

	if (slash && slash != dir) {
		*slash = '\0';
		if (util_mkdir_p(dir, 0700, err) < 0)
			return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return sbx_error_set(err, errno, "write `%s`", tmp);
	if (util_write_all(fd, text, strlen(text)) < 0 || util_write_all(fd, "\n", 1) < 0 || fsync(fd) < 0) {
		close(fd);
		unlink(tmp);
		return sbx_error_set(err, errno, "write `%s`", tmp);
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return sbx_error_set(err, errno, "rename to `%s`", path);
	}
	return 0;
}

int registry_login(const char *registry, const char *user, const char *pass, const struct registry_opts *o,
		   struct sbx_error **err)
{
	struct registry_opts oo = *o;
	cleanup_free char *creds = xasprintf("%s:%s", user, pass), *path = login_file(), *b = NULL;
	struct reg r;
	struct http_resp rs = {0};
	json_t *j, *auths;
	int ret = -1;

	if (!path)
		return sbx_error_set(err, 0, "login: no XDG_RUNTIME_DIR or HOME for the auth file");
	oo.creds = creds;
	if (reg_init(&r, registry, NULL, &oo, err) < 0)
		return -1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (reg_get(&r, "", NULL, &rs, err) < 0) {
		sbx_error_wrap(err, "login");
		goto out;
	}
	/* a registry that asks for nothing takes any credentials: refuse to
	 * call that a check */
	if (!r.auth) {
		sbx_error_set(err, 0, "login %s: the registry asks for no authentication", registry);
		goto out;
	}
	j = json_load_file(path, 0, NULL);
	if (!j)
		j = json_object();
	auths = json_object_get(j, "auths");
	if (!json_is_object(auths)) {
		auths = json_object();
		json_object_set_new(j, "auths", auths);
	}
	b = basic_header(user, pass);
	json_object_set_new(auths, registry, json_pack("{s:s}", "auth", b + strlen("Authorization: Basic ")));
	ret = save_auth(path, j, err);
	json_decref(j);
out:
	http_resp_reset(&rs);
	reg_free(&r);
	return ret;
}

int registry_logout(const char *registry, struct sbx_error **err)
{
	bool found = false;

	for (int w = 0; w < 2; w++) {
		cleanup_free char *p = w == 0 ? login_file() : auth_file_path(1);
		json_t *j;
		json_t *auths;

		if (!p || !(j = json_load_file(p, 0, NULL)))
			continue;
		auths = json_object_get(j, "auths");
		if (json_object_get(auths, registry)) {
			json_object_del(auths, registry);
			if (save_auth(p, j, err) < 0) {
				json_decref(j);
				return -1;
			}
			found = true;
		}
		json_decref(j);
	}
	if (!found)
		return sbx_error_set(err, 0, "logout: not logged into %s", registry);
	return 0;
}
