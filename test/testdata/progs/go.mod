module example

go 1.27
