// This package has no public API yet; see its README for what it will hold.
export {}
