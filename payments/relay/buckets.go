package relay

// The relay's bbolt layout, all in one place.
//
//	meta/schema_version         → uint64 BE
//	tills/{till}/notes/{id}     → encoded notification (id: uint64 BE, the per-till sequence)
//	tills/{till}/acked/{id}     → time acknowledged, unix nanoseconds BE
//	tills/{till}/acked_through  → uint64 BE: every id up to here is acknowledged (or pruned)
var (
	bucketMeta   = []byte("meta")
	bucketTills  = []byte("tills")
	bucketNotes  = []byte("notes")
	bucketAcked  = []byte("acked")
	keySchema    = []byte("schema_version")
	keyAckedThru = []byte("acked_through")
)

// schemaVersion is written at open; a file from a newer relay is refused.
const schemaVersion = 1
