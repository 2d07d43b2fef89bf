// Wrapper module: pins kube-router, run on the real node as its NetworkPolicy enforcer only
// (--run-firewall; its router and service proxy stay off).
module labforge.dev/cluster/kuberouter

go 1.26.8

require github.com/cloudnativelabs/kube-router/v2 v2.1.0 // indirect
