fn main() {
    afl::fuzz!(|data: &[u8]| refwatch_fuzz::names(data));
}
