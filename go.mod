module github.com/plasmite-go/plasmite

go 1.26.0
