// Most of these tests wait rather than compute — on a server process starting or being killed and restarted, on
// PostgreSQL, on a scheduled job — so four test classes at a time keep the machine's two cores busy, where two left
// them idle much of the run (the test command's wall time is what CI allows).
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
