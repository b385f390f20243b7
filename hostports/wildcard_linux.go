package hostports

// wildcardConflictsWithAll: Linux refuses a bind on :: (dual-stack) while
// any local address holds the port; see Prober.Check.
const wildcardConflictsWithAll = true
