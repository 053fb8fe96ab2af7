// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package x509

// Where a unikernel looks for root certificates: at the paths Debian
// uses, which a boot archive can fill, or in the file or directories
// named by SSL_CERT_FILE and SSL_CERT_DIR (root_unix.go). Without any,
// the system pool is empty.

// Possible certificate files; stop after finding one.
var certFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/ssl/cert.pem",
}

// Possible directories with certificate files; all will be read.
var certDirectories = []string{
	"/etc/ssl/certs",
}
