module mirago.dev/drivers

go 1.26

require (
	github.com/google/go-cmp v0.7.0
	mirago.dev/sys v0.0.0
)

replace mirago.dev/sys => ../sys
