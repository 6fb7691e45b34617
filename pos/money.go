package pos

// Money is an amount in fen (1/100 yuan). Never a float.
type Money int64
