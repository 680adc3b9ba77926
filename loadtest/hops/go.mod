module toolgate.dev/loadtest/hops

go 1.22
