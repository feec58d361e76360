print("testbed")
