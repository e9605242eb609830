// Package lite3 encodes, decodes, queries and validates Lite3 documents, the
// payload format of Plasmite pool frames. See ../shared/spec/pool-format.md §3.
package lite3
