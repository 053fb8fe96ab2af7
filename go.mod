module mirago.dev/mirago

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0
	golang.org/x/arch v0.32.0
	mirago.dev/sys v0.0.0
)

replace (
	mirago.dev/drivers => ./drivers
	mirago.dev/sys => ./sys
)
