package oops

// CallSite exposes callSiteText to the tests of package oops_test.
var CallSite = callSiteText
