/* SPDX-License-Identifier: GPL-2.0-or-later */
/* version.h - the version of sandbox and of the libraries linked into it */
#ifndef SBX_VERSION_H
#define SBX_VERSION_H

void version_print(void);

#endif /* SBX_VERSION_H */
