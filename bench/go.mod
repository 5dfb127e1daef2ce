module github.com/oops-go/oops/bench

go 1.26

replace github.com/oops-go/oops => ../
