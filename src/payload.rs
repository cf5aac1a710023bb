//! Request kinds shared by the npm package and the Worker: validation by kind and request
//! building (issue 4).
