module gortbench

go 1.26
