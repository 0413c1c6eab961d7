module goorders

go 1.26
