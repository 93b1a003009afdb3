module github.com/multikms/multikms

go 1.24
