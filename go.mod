module qrtill

go 1.25.0
