print("qrcert")
