package allocator_test

import "slices"

func sortInts(a []int) { slices.Sort(a) }
