#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nosub/02-images.sh - the image store for a user without subordinate ranges (run as
# sbxnosub): imports work, owners collapse to the caller and that is said once
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../lib/sbx.sh"

# shellcheck disable=SC2034 # read by sbx.sh
SBX_RUN_DEFAULTS=()

test_import_single_id() {
	require_no_subuid
	mkdir -p "$T_TMP/tree/home/u" "$T_TMP/tree/bin"
	cp -a "$ROOTFS/bin/busybox" "$T_TMP/tree/bin/"
	ln -s busybox "$T_TMP/tree/bin/sh"
	ln -s busybox "$T_TMP/tree/bin/stat"
	echo mine >"$T_TMP/tree/home/u/file"
	tar -C "$T_TMP/tree" --numeric-owner --owner=0 --group=0 -cf "$T_TMP/a.tar" bin
	tar -C "$T_TMP/tree" --numeric-owner --owner=1000 --group=1000 -rf "$T_TMP/a.tar" home
	gzip "$T_TMP/a.tar"
	assert_status 0 sbx import "$T_TMP/a.tar.gz" one
	assert_file_has_content "$T_OUT" '^Loaded image: localhost/one:latest$'
	assert_eq 1 "$(grep -c 'keep your own uid/gid' "$T_ERR")" "one line about collapsed owners"
	assert_status 0 sbx run --rm --network none --userns single one /bin/stat -c %u:%g /home/u/file
	assert_eq "0:0" "$(cat "$T_OUT")" "owner inside: the caller"
	assert_status 0 sbx rmi one
	assert_eq 0 "$(find "$SANDBOX_ROOT/layers" -mindepth 1 | wc -l)" "layers after rmi"
}

t "import without subordinate ids: owners collapse, said once" test_import_single_id
t_main "$@"
