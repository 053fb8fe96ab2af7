package logrus_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattn/go-isatty"
	"github.com/sirupsen/logrus"
)

// TestTextFormatter logs through a TextFormatter into a buffer.
func TestTextFormatter(t *testing.T) {
	var buf bytes.Buffer
	l := logrus.New()
	l.SetOutput(&buf)
	l.SetLevel(logrus.DebugLevel)
	l.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})

	l.WithFields(logrus.Fields{"k": "v", "n": 42}).Info("hello xen")
	l.Debug("dbg")
	l.Trace("not shown")
	l.WithField("err", "boom").Warn("careful")

	want := "level=info msg=\"hello xen\" k=v n=42\n" +
		"level=debug msg=dbg\n" +
		"level=warning msg=careful err=boom\n"
	if got := buf.String(); got != want {
		t.Fatalf("output:\n%s\nwant:\n%s", got, want)
	}
}

// TestIsatty checks terminal detection: a regular file is not a
// terminal, for go-isatty and for logrus's TextFormatter (which checks
// the *os.File it writes to and would add colour codes for a terminal).
func TestIsatty(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isatty.IsTerminal(f.Fd()) {
		t.Fatalf("isatty.IsTerminal(regular file) = true")
	}
	if isatty.IsCygwinTerminal(f.Fd()) {
		t.Fatalf("isatty.IsCygwinTerminal(regular file) = true")
	}
	t.Logf("stdout: IsTerminal=%v; stderr: IsTerminal=%v",
		isatty.IsTerminal(os.Stdout.Fd()), isatty.IsTerminal(os.Stderr.Fd()))

	l := logrus.New()
	l.SetOutput(f)
	l.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})
	l.Info("to a file")
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); got != "level=info msg=\"to a file\"\n" || strings.Contains(got, "\x1b[") {
		t.Fatalf("file output %q", got)
	}

	// The standard logger writes to stderr; it must not fail.
	logrus.StandardLogger().SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})
	logrus.Info("to stderr")
}
