from source_analytics.run import run

if __name__ == "__main__":
    run()
