module github.com/plasmite-go/plasmite

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/itchyny/gojq v0.12.20
	golang.org/x/sys v0.50.0
	golang.org/x/term v0.48.0
)

require (
	github.com/itchyny/timefmt-go v0.1.9 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
)
