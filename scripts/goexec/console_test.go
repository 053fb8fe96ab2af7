// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"
)

// slowWriter takes its writes after a delay, as a reader that falls
// behind would.
type slowWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// TestConsoleFile: everything written to the console file reaches the
// output, in order, however slowly the output takes it, including what
// is written just before finish, and past the point where copied
// blocks are freed.
func TestConsoleFile(t *testing.T) {
	c, err := newConsoleFile()
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	out := &slowWriter{}
	go c.follow(out)
	for i := 0; want.Len() < 3*consolePunch; i++ {
		line := fmt.Sprintf("line %d of the console\n", i)
		want.WriteString(line)
		if _, err := io.WriteString(c.w, line); err != nil {
			t.Fatal(err)
		}
		if i%5000 == 0 {
			time.Sleep(2 * consolePollMax) // let follow back off and go quiet
		}
	}
	c.w.Close()
	c.finish()
	if got := out.buf.Bytes(); !bytes.Equal(got, want.Bytes()) {
		n := 0
		for n < len(got) && n < want.Len() && got[n] == want.Bytes()[n] {
			n++
		}
		t.Errorf("copied %d bytes, want %d; they differ from byte %d", len(got), want.Len(), n)
	}
	c.finish() // a second call returns at once
}
