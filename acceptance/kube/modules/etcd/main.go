// The etcd server of the Kubernetes test bed, built from the etcd server module as released.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
