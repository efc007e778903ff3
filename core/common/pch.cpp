// An empty translation unit. It carries the precompiled torch header for core (muonscope_pch)
// and keeps every core library non-empty while its folder is being written.
