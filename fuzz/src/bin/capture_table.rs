fn main() {
    afl::fuzz!(|data: &[u8]| refwatch_fuzz::capture_table(data));
}
