// Package fail has a test that fails on purpose.
package fail

import "testing"

func TestFails(t *testing.T) {
	t.Error("this failure is intended")
}
