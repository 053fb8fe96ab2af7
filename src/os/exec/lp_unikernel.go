// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package exec

// A unikernel is a single process: there is nothing to run a program
// in. LookPath fails for every name with an error that says so, and so
// do Command(...).Run, Start and Output, before they reach
// os.StartProcess (which would fail with ENOSYS).

import (
	"errors"
	"runtime"
)

// ErrNotFound is the error resulting if a path search failed to find an executable file.
var ErrNotFound = errors.New("executable file not found in $PATH")

// errNoProcesses is why LookPath fails on this platform. It matches
// errors.ErrUnsupported.
var errNoProcesses error = noProcessesError{}

type noProcessesError struct{}

func (noProcessesError) Error() string {
	return "running programs is not supported on " + runtime.GOOS + " (a unikernel has one process)"
}

func (noProcessesError) Unwrap() error { return errors.ErrUnsupported }

// lookPath searches for an executable named file in the
// directories named by the PATH environment variable.
// If file contains a slash, it is tried directly and the PATH is not consulted.
// The result may be an absolute path or a path relative to the current directory.
func lookPath(file string) (string, error) {
	return "", &Error{file, errNoProcesses}
}

// lookExtensions is a no-op on non-Windows platforms, since
// they do not restrict executables to specific extensions.
func lookExtensions(path, dir string) (string, error) {
	return path, nil
}
