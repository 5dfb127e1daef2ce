package sqlstore_test

// childEnv, when set, makes the test binary a child process of
// TestTwoProcesses.
const childEnv = "OOPS_SQLSTORE_CHILD"

func childMain() int { return 0 }
